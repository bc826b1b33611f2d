#!/usr/bin/env python3
"""Writes intel.json.gz, the intelligence `entente demo` loads into its five nodes.

Run from anywhere:  python3 crates/entente/demo/generate.py [ENTERPRISE_ATTACK_JSON_GZ]
(default: ../shared/data/attack/enterprise-attack.json.gz beside the repository).

The output is deterministic: ids are UUIDv5 of fixed names and every timestamp is
fixed, so running it again gives the same bundle and a reviewable diff.

What is in it:
- MITRE ATT&CK reference: a few dozen Enterprise techniques, with MITRE's identity and
  copyright marking definition. Each technique keeps its id, name, ATT&CK id and
  tactics; its description is cut to the first paragraph, its external references to
  the ATT&CK one, and it is marked TLP:CLEAR with the topic `cyber`
  (`x_entente_topics`), so that the release decision can classify it. Loaded by the
  Southland National CERT, the region's reference-data keeper.
- A fictional scenario: indicators, threat actors, intrusion sets, malware, reports and
  relationships written by the five demo parties (created_by_ref = the party's node
  id, which `entente demo` gives its nodes; keep PARTIES in step with
  crates/entente/src/commands/demo/parties.rs). Every network value is from the
  documentation ranges (RFC 5737 addresses, .example/.test/.invalid names): nothing
  here points at a real system. Markings span TLP:CLEAR to TLP:RED; topics are the
  labels `cyber` / `counter-terrorism`.
"""
import gzip
import json
import os
import sys
import uuid

NAMESPACE = uuid.UUID("6f1c1d0e-3d2b-4c5e-9a7b-2f4e8d9c0a11")


def sid(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


PARTIES = {
    "northland": sid("identity", "party:northland"),
    "southland": sid("identity", "party:southland"),
    "eastland": sid("identity", "party:eastland"),
    "farland": sid("identity", "party:farland"),
    "civiccert": sid("identity", "party:civiccert"),
}

TLP = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

CYBER, CT = "cyber", "counter-terrorism"
CREATED = "2026-10-01T08:00:00.000Z"

TECHNIQUES = [
    "T1566", "T1566.001", "T1566.002", "T1190", "T1133", "T1078", "T1059", "T1059.001", "T1204.002",
    "T1547.001", "T1053.005", "T1027", "T1036", "T1070.004", "T1562.001", "T1003.001", "T1110",
    "T1021.001", "T1071.001", "T1105", "T1090", "T1102", "T1041", "T1567.002", "T1486", "T1490",
    "T1491.002", "T1498", "T1499", "T1583.001", "T1585.001", "T1588.002", "T1608", "T1593", "T1598",
]


def attack_reference(path: str) -> list:
    bundle = json.load(gzip.open(path))
    objects = bundle["objects"]
    by_external = {}
    for obj in objects:
        if obj["type"] != "attack-pattern" or obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        for ref in obj.get("external_references", []):
            if ref.get("source_name") == "mitre-attack":
                by_external[ref["external_id"]] = obj
    marking = next(o for o in objects if o["type"] == "marking-definition")
    mitre = next(o for o in objects if o["type"] == "identity")
    out = [marking, mitre]
    for external_id in TECHNIQUES:
        obj = by_external[external_id]
        keep = {k: obj[k] for k in ("type", "spec_version", "id", "created", "modified", "created_by_ref", "name",
                                    "kill_chain_phases", "x_mitre_is_subtechnique") if k in obj}
        keep["spec_version"] = "2.1"
        keep["description"] = obj.get("description", "").split("\n\n")[0]
        keep["external_references"] = [r for r in obj["external_references"] if r.get("source_name") == "mitre-attack"]
        keep["object_marking_refs"] = [TLP["clear"], *obj.get("object_marking_refs", [])]
        keep["x_entente_topics"] = [CYBER]
        out.append(keep)
    return out, {e: by_external[e]["id"] for e in TECHNIQUES}


def base(kind: str, key: str, party: str, tlp: str, topics: list, **fields) -> dict:
    obj = {"type": kind, "spec_version": "2.1", "id": sid(kind, key), "created": CREATED, "modified": CREATED,
           "created_by_ref": PARTIES[party], "object_marking_refs": [TLP[tlp]], "labels": list(topics)}
    obj.update(fields)
    return obj


def indicator(name: str, party: str, tlp: str, topics: list, pattern: str, description: str) -> dict:
    return base("indicator", name, party, tlp, topics, name=name, description=description, pattern=pattern,
                pattern_type="stix", valid_from="2026-10-01T00:00:00Z",
                indicator_types=["malicious-activity"])


def relationship(kind: str, source: dict, target_id: str, party: str, tlp: str, topics: list) -> dict:
    name = f"{source['id']} {kind} {target_id}"
    return base("relationship", name, party, tlp, topics, relationship_type=kind, source_ref=source["id"],
                target_ref=target_id)


def scenario(techniques: dict) -> list:
    out = []
    # Northland Ministry of the Interior: a terrorist group and its online support.
    dawn = base("threat-actor", "Crimson Dawn Brigade", "northland", "amber", [CT], name="Crimson Dawn Brigade",
                description="Fictional violent extremist group active across the Northern Marches; recruits online "
                            "and finances itself through fraud.",
                threat_actor_types=["terrorist"], aliases=["CDB"], primary_motivation="ideology")
    recruit = indicator("Crimson Dawn recruitment portal", "northland", "amber", [CT],
                        "[domain-name:value = 'dawn-call.example']", "Recruitment and propaganda portal.")
    donate = indicator("Crimson Dawn donation page", "northland", "green", [CT, CYBER],
                       "[url:value = 'https://give.dawn-call.example/donate']",
                       "Fraudulent donation page financing the group; also a phishing lure.")
    phish = indicator("Fake ministry login page", "northland", "green", [CYBER],
                      "[domain-name:value = 'interior-northland.example']",
                      "Credential phishing page imitating the Ministry's staff portal.")
    plot = base("report", "Source reporting on a planned attack", "northland", "red", [CT],
                name="Source reporting on a planned attack on the Northland metro",
                description="Human-source reporting. Named recipients only.", report_types=["threat-report"],
                published="2026-10-02T06:00:00Z", object_refs=[dawn["id"]])
    out += [dawn, recruit, donate, phish, plot,
            relationship("indicates", recruit, dawn["id"], "northland", "amber", [CT]),
            relationship("indicates", donate, dawn["id"], "northland", "green", [CT])]
    # Southland National CERT: a cyber-espionage group, its malware and infrastructure.
    lynx = base("intrusion-set", "Frost Lynx", "southland", "amber", [CYBER], name="Frost Lynx",
                description="Fictional espionage group targeting ministries of the region with spearphishing.",
                aliases=["LYNX-7"], primary_motivation="organizational-gain")
    loader = base("malware", "LynxLoader", "southland", "amber", [CYBER], name="LynxLoader", is_family=True,
                  malware_types=["remote-access-trojan"], description="Fictional loader used by Frost Lynx.")
    c2 = [indicator(f"Frost Lynx C2 {n}", "southland", "green", [CYBER], f"[ipv4-addr:value = '203.0.113.{n}']",
                    "LynxLoader command-and-control server.") for n in (17, 18, 42)]
    lure = indicator("Frost Lynx lure domain", "southland", "clear", [CYBER],
                     "[domain-name:value = 'tender-notice.test']", "Spearphishing lure domain.")
    hash_ = indicator("LynxLoader dropper", "southland", "amber", [CYBER],
                      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
                      "Dropper attached to lure documents.")
    victim = indicator("Compromised ministry mail relay", "southland", "red", [CYBER],
                       "[ipv4-addr:value = '192.0.2.10']", "A victim's own server: never shared.")
    out += [lynx, loader, *c2, lure, hash_, victim,
            relationship("uses", lynx, loader["id"], "southland", "amber", [CYBER]),
            *[relationship("indicates", ind, lynx["id"], "southland", "green", [CYBER]) for ind in c2],
            *[relationship("uses", lynx, techniques[t], "southland", "green", [CYBER])
              for t in ("T1566.001", "T1204.002", "T1071.001", "T1027", "T1041")]]
    # Eastland Counter-Terrorism Unit: facilitators, defacements, a strict lead.
    facil = base("intrusion-set", "Crimson Dawn online facilitators", "eastland", "amber", [CT, CYBER],
                 name="Crimson Dawn online facilitators",
                 description="Fictional cell running defacements and DDoS for the Crimson Dawn Brigade.")
    deface = indicator("Defacement staging server", "eastland", "green", [CT, CYBER],
                       "[ipv4-addr:value = '198.51.100.23']", "Hosts defacement kits used against municipal sites.")
    channel = indicator("Propaganda channel", "eastland", "amber", [CT],
                        "[url:value = 'https://video.invalid/c/dawn-east']", "Propaganda video channel.")
    strict = indicator("Informant meeting point", "eastland", "amber+strict", [CT],
                       "[ipv4-addr:value = '198.51.100.99']", "Eastland CTU only.")
    travel = base("report", "Cross-border facilitator travel", "eastland", "amber", [CT],
                  name="Cross-border travel of Crimson Dawn facilitators",
                  description="Assessment of facilitator movements between Eastland and Northland.",
                  report_types=["threat-actor"], published="2026-10-03T09:00:00Z",
                  object_refs=[facil["id"], channel["id"]])
    out += [facil, deface, channel, strict, travel,
            *[relationship("uses", facil, techniques[t], "eastland", "green", [CT, CYBER])
              for t in ("T1491.002", "T1498", "T1583.001")]]
    # Farland Directorate of Counter-Terrorism: the distant partner.
    sable = base("threat-actor", "Sable Crescent Network", "farland", "amber", [CT],
                 name="Sable Crescent Network", threat_actor_types=["terrorist"],
                 description="Fictional transnational network with contacts in the Northern Marches.")
    courier = indicator("Sable Crescent courier mailbox", "farland", "amber", [CT],
                        "[email-addr:value = 'courier@sable.test']", "Mailbox used to coordinate couriers.")
    brief = base("report", "Sable Crescent public brief", "farland", "green", [CT],
                 name="Sable Crescent Network: public brief", description="Unclassified summary for partners.",
                 report_types=["threat-actor"], published="2026-10-04T10:00:00Z", object_refs=[sable["id"]])
    asset = indicator("Farland asset phone relay", "farland", "red", [CT],
                      "[ipv4-addr:value = '192.0.2.77']", "Farland only.")
    cyber_only = indicator("Farland ministry phishing domain", "farland", "green", [CYBER],
                           "[domain-name:value = 'farland-visa.example']", "Visa-phishing domain.")
    out += [sable, courier, brief, asset, cyber_only]
    # CivicCERT: a non-governmental CERT protecting civil society.
    kit = indicator("Phishing kit targeting NGOs", "civiccert", "green", [CYBER],
                    "[url:value = 'https://ngo-grants.example/login']", "Credential phishing aimed at NGO staff.")
    spy = indicator("Stalkerware update server", "civiccert", "clear", [CYBER],
                    "[domain-name:value = 'update-sync.test']", "Stalkerware seen on journalists' phones.")
    out += [kit, spy]
    return out


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "..", "..", "shared", "data", "attack", "enterprise-attack.json.gz")
    source = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(default)
    reference, techniques = attack_reference(source)
    bundle = {"type": "bundle", "id": sid("bundle", "entente-demo"), "objects": reference + scenario(techniques)}
    text = json.dumps(bundle, indent=None, separators=(",", ":"), sort_keys=True).encode()
    target = os.path.join(here, "intel.json.gz")
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(text)
    print(f"wrote {target}: {len(bundle['objects'])} objects, {len(text)} bytes, {os.path.getsize(target)} gzipped")
    print(json.dumps(PARTIES, indent=1))


if __name__ == "__main__":
    main()
