#!/usr/bin/env python3
"""Signs in to a node's web interface through its login form and times its pages.

For each path: WARMUP requests, then N timed ones over one keep-alive connection
(what a browser does); prints the median and p99 in milliseconds and flags a page
over the budget. A path that answers 404 (a page not built in this checkout) is
skipped and said so; any other status than 200 is an error.

Usage: measure.py BASE_URL TOKEN N PATH...
"""
import http.client
import re
import statistics
import sys
import time
import urllib.parse

BUDGET_MS = 100.0
WARMUP = 10


def sign_in(connection: http.client.HTTPConnection, token: str) -> str:
    connection.request("GET", "/ui/login")
    response = connection.getresponse()
    page = response.read().decode()
    login = re.search(r"entente_login=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "token": token, "next": "/ui"})
    connection.request("POST", "/ui/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"entente_login={login}"})
    response = connection.getresponse()
    response.read()
    if response.status != 303:
        sys.exit(f"sign-in failed: {response.status}")
    cookies = response.headers.get_all("Set-Cookie") or []
    session = next(c for c in cookies if c.startswith("entente_session="))
    return session.split(";")[0]


def timed(connection: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, float, int]:
    start = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - start) * 1000, len(body)


def main() -> None:
    base, token, runs, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    cookie = sign_in(connection, token)
    print(f"{'page':<58} {'median ms':>10} {'p99 ms':>8} {'KiB':>6}")
    over = []
    for path in paths:
        status, _, _ = timed(connection, path, cookie)
        if status == 404:
            print(f"{path:<58} {'skipped: 404 (not in this build)':>26}")
            continue
        if status != 200:
            sys.exit(f"{path}: status {status}")
        for _ in range(WARMUP):
            timed(connection, path, cookie)
        times, size = [], 0
        for _ in range(runs):
            status, elapsed, size = timed(connection, path, cookie)
            if status != 200:
                sys.exit(f"{path}: status {status}")
            times.append(elapsed)
        times.sort()
        median = statistics.median(times)
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        flag = "  OVER BUDGET" if p99 > BUDGET_MS else ""
        if flag:
            over.append(path)
        print(f"{path:<58} {median:>10.1f} {p99:>8.1f} {size / 1024:>6.0f}{flag}")
    if "/ui/ledger" in paths:
        # What the Ledger page says of the chain once the runs are over.
        _, _, _ = timed(connection, "/ui/ledger", cookie)
        connection.request("GET", "/ui/ledger", headers={"Cookie": cookie})
        page = connection.getresponse().read().decode()
        verdict = re.search(r'<p class="verdict[^"]*">(.*?)</p>', page, re.S)
        if verdict:
            print("ledger: " + re.sub(r"<[^>]+>", "", verdict.group(1)).strip())
    print(f"budget {BUDGET_MS:.0f} ms (p99): " + ("every page within it" if not over else f"OVER: {', '.join(over)}"))


if __name__ == "__main__":
    main()
