-- The web interface (issue 7): browser sessions and user accounts.

-- A session is a random secret in an HttpOnly cookie; only its SHA-256 is stored.
-- It belongs to one API token (signed in with the token) or one user account; when
-- that token is revoked or the account disabled, the session stops working at once.
CREATE TABLE web_sessions (
    hash TEXT PRIMARY KEY,
    token_id TEXT REFERENCES tokens(id),
    user_name TEXT REFERENCES users(name),
    -- Sent back in every form of the session and compared on each POST.
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CHECK ((token_id IS NULL) <> (user_name IS NULL))
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);

-- People who sign in with a name and a password (an Argon2id PHC string).
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
);
