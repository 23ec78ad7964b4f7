#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) and the CA file the TLS
handshake target trusts (fuzz/seeds/ca.pem).

Every seed is made here: TLS messages and records are assembled byte by byte,
certificates and PKCS#12 archives come from `openssl` with fresh throwaway keys (small
ones: P-256, Ed25519, RSA 1024 and one RSA 2048), and the rest is text written below.
Keys live in a temporary directory and survive only inside the PEM and PKCS#12 seeds,
which are never committed: they are written under fuzz/target/keyed-seeds/ (ignored),
and scripts/fuzz.sh makes them (`--keyed`) before a run when they are missing, so no
private key block sits in the repository. Every committed text seed holds only
low-entropy values.

Running it again replaces the seeds with equivalent ones made with new keys. Run from
anywhere: `python3 fuzz/make_seeds.py` (all seeds) or `python3 fuzz/make_seeds.py
--keyed` (only the certificate-import seeds, which carry keys).
"""

import base64
import hashlib
import gzip
import hmac
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
CORPUS = FUZZ / "corpus"
# Seeds that carry a private key: made at fuzz time, never committed.
KEYED = FUZZ / "target" / "keyed-seeds"


def write(target, name, data, root=CORPUS):
    directory = root / target
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (directory / name).write_bytes(data)


# ---------------------------------------------------------------- certificates


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(work):
    """Root and intermediate CAs, leaves of several key types, all P-256 signed."""
    w = str(work)
    (work / "ca.ext").write_text(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
    )
    (work / "leaf.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "subjectAltName=DNS:fuzz.example,DNS:*.fuzz.example,IP:127.0.0.1,email:ops@fuzz.example\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
    )
    for name in ["root", "intermediate", "leaf", "client"]:
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", f"{name}.key", cwd=w)
    openssl("genpkey", "-algorithm", "ED25519", "-out", "ed25519.key", cwd=w)
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024",
            "-out", "rsa1024.key", cwd=w)
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
            "-out", "rsa2048.key", cwd=w)
    openssl("req", "-x509", "-new", "-key", "root.key", "-subj", "/O=Keyward fuzz/CN=Fuzz Root",
            "-days", "3650", "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem", cwd=w)

    def issue(name, key, subject, issuer, extfile, days="3650", digest="-sha256"):
        openssl("req", "-new", "-key", key, "-subj", subject, "-out", f"{name}.csr", cwd=w)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem",
                "-CAkey", f"{issuer}.key", "-set_serial", str(len(name) * 7919),
                "-days", days, digest, "-extfile", extfile, "-out", f"{name}.pem", cwd=w)

    issue("intermediate", "intermediate.key", "/O=Keyward fuzz/CN=Fuzz Intermediate", "root", "ca.ext")
    issue("leaf", "leaf.key", "/CN=fuzz.example", "intermediate", "leaf.ext")
    issue("client", "client.key", "/CN=fuzz client", "intermediate", "leaf.ext")
    issue("ed25519", "ed25519.key", "/CN=fuzz ed25519", "intermediate", "leaf.ext")
    issue("rsa2048", "rsa2048.key", "/CN=fuzz rsa", "intermediate", "leaf.ext")
    # Expired by the targets' fixed "now" (2027-01-01), and signed with SHA-1.
    issue("expired", "client.key", "/CN=fuzz.example", "intermediate", "leaf.ext", days="1")
    issue("sha1", "client.key", "/CN=fuzz.example", "intermediate", "leaf.ext", digest="-sha1")
    # A self-signed RSA 1024 server certificate: weak key, untrusted, wrong name.
    openssl("req", "-x509", "-new", "-key", "rsa1024.key", "-subj", "/CN=legacy.invalid",
            "-days", "3650", "-sha256", "-out", "rsa1024.pem", cwd=w)
    # SEC1 and PKCS#1 forms of keys, as older tools write them.
    openssl("ec", "-in", "client.key", "-out", "client.sec1.key", cwd=w)
    openssl("rsa", "-in", "rsa2048.key", "-traditional", "-out", "rsa2048.pkcs1.key", cwd=w)


def pem(work, name):
    return (work / name).read_bytes()


def der(work, name):
    out = subprocess.run(["openssl", "x509", "-in", name, "-outform", "DER"], cwd=str(work),
                         check=True, capture_output=True)
    return out.stdout


# ---------------------------------------------------------------- TLS


def u16(value):
    return struct.pack(">H", value)


def u24(value):
    return struct.pack(">I", value)[1:]


def message(kind, body):
    return bytes([kind]) + u24(len(body)) + body


def record(content_type, body, version=0x0303):
    return bytes([content_type]) + u16(version) + u16(len(body)) + body


RETRY_REQUEST_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()


def server_hello(version, suite, extensions=(), random=bytes(range(32)), session=b""):
    body = u16(version) + random + bytes([len(session)]) + session + u16(suite) + b"\x00"
    if extensions:
        data = b"".join(u16(kind) + u16(len(value)) + value for kind, value in extensions)
        body += u16(len(data)) + data
    return message(2, body)


def certificate(chain):
    entries = b"".join(u24(len(cert)) + cert for cert in chain)
    return message(11, u24(len(entries)) + entries)


def tls_flights(work):
    leaf, intermediate = der(work, "leaf.pem"), der(work, "intermediate.pem")
    renegotiation = (0xFF01, b"\x00")
    point_formats = (0x000B, b"\x01\x00")
    ecdhe = message(12, b"\x03" + u16(0x0017) + b"\x41\x04" + bytes(range(64))
                    + u16(0x0403) + u16(8) + b"fuzz-sig")
    prime = b"\xff" * 128 + bytes(range(128))
    dhe = message(12, u16(len(prime)) + prime + u16(1) + b"\x02" + u16(4) + b"ys!!"
                  + u16(0x0401) + u16(4) + b"sig!")
    request = message(13, b"\x02\x01\x40" + u16(4) + u16(0x0403) + u16(0x0804) + u16(0))
    status = message(22, b"\x01" + u24(13) + b"ocsp-response")
    done = message(14, b"")
    share = (0x0033, u16(0x001D) + u16(32) + bytes(32))
    return {
        "tls12-ecdhe-chain-ocsp": server_hello(0x0303, 0xC02B, [renegotiation, point_formats])
        + certificate([leaf, intermediate]) + status + ecdhe + done,
        "tls12-dhe-client-auth": server_hello(0x0303, 0x009E, [renegotiation])
        + certificate([der(work, "rsa1024.pem")]) + dhe + request + done,
        "tls12-incomplete-chain": server_hello(0x0303, 0xC02F, session=b"\x07" * 32)
        + certificate([leaf]) + ecdhe + done,
        "tls12-expired-sha1": server_hello(0x0303, 0xC02B)
        + certificate([der(work, "expired.pem"), der(work, "sha1.pem"), intermediate]) + ecdhe + done,
        "tls10-rsa": server_hello(0x0301, 0x002F) + certificate([der(work, "rsa2048.pem")]) + done,
        "ssl3-rc4": server_hello(0x0300, 0x0005) + certificate([der(work, "ed25519.pem")]) + done,
        "tls13": server_hello(0x0303, 0x1301, [(0x002B, u16(0x0304)), share], session=b"\x01" * 32),
        "hello-retry-request": server_hello(0x0303, 0x1302, [(0x002B, u16(0x0304)), (0x0033, u16(0x0017))],
                                            random=RETRY_REQUEST_RANDOM),
        "hello-then-unfinished": server_hello(0x0303, 0xC02F) + certificate([leaf])[:40],
    }


def tls_seeds(work):
    flights = tls_flights(work)
    for name, flight in flights.items():
        write("tls_handshake", name, flight)
        # tls_record: a size byte, an alert byte (top bit: send an alert after), messages.
        write("tls_record", name, bytes([0x11, 0x00]) + flight)
        write("tls_record", name + "-alert", bytes([0x03, 0x80 | 40]) + flight)
        # tls_flight: whole records as a server sends them, one record and fragmented.
        write("tls_flight", name, record(22, flight))
        fragments = b"".join(record(22, flight[i:i + 97]) for i in range(0, len(flight), 97))
        write("tls_flight", name + "-fragmented", fragments)
    write("tls_handshake", "certificate-before-hello", certificate([der(work, "leaf.pem")]))
    write("tls_flight", "alert-handshake-failure", record(21, b"\x02\x28"))
    write("tls_flight", "hello-then-alert",
          record(22, server_hello(0x0303, 0xC02F)) + record(21, b"\x02\x50"))
    write("tls_flight", "http-answer", b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    write("tls_flight", "change-cipher-spec-first", record(20, b"\x01"))
    write("tls_record", "empty-alert", bytes([0x00, 0x80 | 70]))
    (FUZZ / "seeds").mkdir(exist_ok=True)
    (FUZZ / "seeds" / "ca.pem").write_bytes(pem(work, "root.pem") + pem(work, "intermediate.pem"))


# ---------------------------------------------------------------- certificate imports


def certificate_seeds(work):
    chain = pem(work, "client.pem") + pem(work, "intermediate.pem")
    pairs = {
        "ec-pkcs8-chain": (chain, "client.key"),
        "ec-sec1": (pem(work, "client.pem"), "client.sec1.key"),
        "ed25519": (pem(work, "ed25519.pem"), "ed25519.key"),
        "rsa-pkcs1": (pem(work, "rsa2048.pem"), "rsa2048.pkcs1.key"),
        "mismatched-key": (pem(work, "leaf.pem"), "client.key"),
    }
    for name, (certs, key) in pairs.items():
        write("import_pem", name, certs + b"\x00" + pem(work, key), KEYED)
    write("import_pem", "chain-without-key", chain, KEYED)
    write("import_pem", "ca-first-key-in-cert-file",
          pem(work, "intermediate.pem") + b"\x00" + pem(work, "leaf.pem") + pem(work, "leaf.key"),
          KEYED)

    w = str(work)
    archives = {
        # Nothing encrypted and no MAC: every byte of the contents reaches the parser.
        "plain-no-mac": ["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
        # PBES2 (PBKDF2 + AES-256-CBC) with one iteration, and a one-iteration MAC.
        "pbes2-aes": ["-iter", "1", "-nomaciter"],
        "pbes2-aes-chain": ["-iter", "1", "-nomaciter", "-certfile", "intermediate.pem"],
    }
    for name, options in archives.items():
        for password, first in [("fuzz", 0), ("", 1)]:
            out = f"{name}-{first}.p12"
            openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key",
                    "-passout", f"pass:{password}", *options, "-out", out, cwd=w)
            label = "" if password else "-empty-password"
            write("import_pkcs12", name + label, bytes([first]) + (work / out).read_bytes(), KEYED)
    openssl("pkcs12", "-export", "-in", "ed25519.pem", "-inkey", "ed25519.key",
            "-passout", "pass:fuzz", "-iter", "1", "-nomaciter", "-out", "ed.p12", cwd=w)
    write("import_pkcs12", "ed25519", b"\x00" + (work / "ed.p12").read_bytes(), KEYED)
    try:
        openssl("pkcs12", "-export", "-legacy", "-in", "client.pem", "-inkey", "client.key",
                "-passout", "pass:fuzz", "-iter", "1", "-nomaciter", "-out", "legacy.p12", cwd=w)
        write("import_pkcs12", "legacy-3des-rc2", b"\x00" + (work / "legacy.p12").read_bytes(), KEYED)
    except subprocess.CalledProcessError:
        pass  # no legacy provider in this OpenSSL


# ---------------------------------------------------------------- text importers


def text_seeds():
    write("import_dotenv", "forms", "# settings for the fuzz app\n"
          "export APP_ENV=development\n"
          "API_BASE = https://api.fuzz.example/v1 # the base\n"
          "SINGLE='literal \\n #not-a-comment'\n"
          "DOUBLE=\"escaped \\\"quote\\\" and \\n newline\"\n"
          "MULTI=\"first line\nsecond line\"\n"
          "TICKS=`back ticks`\n"
          "EMPTY=\n"
          "REF=${OTHER}\n"
          "HASH=a#b\n")
    write("import_dotenv", "crlf", "A_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx\r\nB=2\r\n")
    write("import_dotenv", "bad-name", "GOOD=1\n1BAD=2\n")
    write("import_dotenv", "unclosed", "A=\"open\nB=2\n")

    def environment(values, **extra):
        return json.dumps({"id": "0", "name": "fuzz", "values": values, **extra}, indent="\t")

    write("import_postman", "environment", environment([
        {"key": "base_url", "value": "https://api.fuzz.example", "type": "default", "enabled": True},
        {"key": "api_token", "value": "xxxxxxxxxxxxxxxxxxxxxxxx", "type": "secret", "enabled": True},
        {"key": "retries", "value": 3, "enabled": True},
        {"key": "old", "value": "zzzz", "enabled": False},
        {"key": "nothing", "value": None},
    ], _postman_variable_scope="environment", _postman_exported_using="Postman/11"))
    write("import_postman", "globals", environment([{"key": "a", "value": "b"}],
                                                   _postman_variable_scope="globals"))
    write("import_postman", "collection", json.dumps({"info": {"name": "c"}, "item": []}))
    write("import_postman", "not-an-object", environment(["text", {"value": "no key"}]))

    write("import_csv", "keyward-columns",
          "name,kind,value,provider,integration,hosts,rotate_every,notes\n"
          "ci-deploy,token,xxxxxxxxxxxxxxxx,GitHub,ci,api.github.com;github.com,90d,\"deploy, nightly\"\n"
          "db,basic,app:aaaaaaaaaaaa,,,db.internal,12w,\n"
          "webhook,hmac,\"multi\nline\",,,,1y,note\n")
    write("import_csv", "keepassxc",
          "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n"
          "\"Root\",\"Fuzz\",\"ops\",\"aaaaaaaa\",\"https://fuzz.example/login\",\"\"\n")
    write("import_csv", "bitwarden",
          "\ufefffolder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n"
          ",,login,Fuzz,,,0,https://fuzz.example,ops,bbbbbbbb,\n")
    write("import_csv", "ragged", "name,value\na,1\nb\n")


# ---------------------------------------------------------------- JWT


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_seeds():
    # JSON with a space after the brace, so no seed starts with `eyJ` (the leak
    # scanner's JWT shape): the reader does not care.
    def token(header, claims, secret=b"secret", algorithm="sha256"):
        head = b64url(("{ " + json.dumps(header)[1:]).encode())
        body = b64url(("{ " + json.dumps(claims)[1:]).encode())
        message = f"{head}.{body}".encode()
        signature = hmac.new(secret, message, getattr(hashlib, algorithm)).digest()
        return f"{head}.{body}.{b64url(signature)}"

    write("jwt", "hs256-weak-no-exp", token({"alg": "HS256", "typ": "JWT"}, {"sub": "ci"}))
    write("jwt", "hs384-long-lived", token({"alg": "HS384"}, {"iat": 1798761600, "exp": 1830297600},
                                           secret=b"changeme", algorithm="sha384"))
    write("jwt", "hs512-short", token({"alg": "HS512"}, {"iat": 1798761600, "exp": 1798765200},
                                      secret=b"not-in-the-list", algorithm="sha512"))
    write("jwt", "rs256", token({"alg": "RS256", "kid": "k1"}, {"exp": 1798765200}))
    write("jwt", "alg-none", b64url(b'{ "alg":"none"}') + "." + b64url(b'{ "a":1}') + ".")
    write("jwt", "two-parts", "abc.def")


# ---------------------------------------------------------------- bundles and baselines


SNAPSHOT = {
    "workstation": {"id": "w-fuzz", "hostname": "fuzzbox", "user": "ada"},
    "generated_at": "2026-12-01T10:00:00Z",
    "credentials": [{
        "name": "ci-deploy", "kind": "token", "provider": "GitHub", "integration": "ci",
        "owner": "ops", "environment": "production", "created_at": "2026-01-01T00:00:00Z",
        "rotated_at": "2026-06-01T00:00:00Z", "rotate_every_days": 90,
        "next_rotation": "2026-08-30T00:00:00Z", "rotation_overdue": True, "expires_at": None,
        "allowed_hosts": ["api.github.com"], "fingerprint": "f1",
        "team_fingerprint": None, "certificate_subject": None, "certificate_not_after": None,
    }],
    "integrations": [{
        "name": "ci", "provider": "GitHub", "owner": "ops", "environment": "production",
        "tags": ["deploy"], "endpoints": ["https://api.github.com"], "credentials": ["ci-deploy"],
    }],
    "rotations": [{
        "id": 1, "credential": "ci-deploy", "method": "generate", "state": "done",
        "started_at": "2026-06-01T00:00:00Z", "finished_at": "2026-06-01T00:00:02Z", "detail": None,
    }],
    "audit_entries": 12,
    "audit_intact": True,
    "posture": [{"integration": "ci", "target": "https://api.github.com", "grade": "A",
                 "probed_at": "2026-11-30T00:00:00Z"}],
    "findings": [{"source": "policy", "id": "rotation.overdue", "severity": "high",
                  "integration": "ci", "credential": "ci-deploy", "subject": "ci-deploy",
                  "message": "overdue", "fix": None}],
    "reviews": [{"subject_kind": "credential", "subject": "ci-deploy", "decision": "rotate",
                 "note": None, "reviewer": "grace", "reviewed_at": "2026-12-01T09:00:00Z"}],
}


def bundle_seeds():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    minimal = {key: SNAPSHOT[key] for key in
               ["workstation", "generated_at", "credentials", "integrations", "rotations",
                "audit_entries", "audit_intact"]}
    payloads = {
        "full": {"sequence": 7, "snapshot": SNAPSHOT},
        "minimal": {"sequence": 0, "snapshot": {**minimal, "credentials": [], "rotations": []}},
        "unverified-audit": {"sequence": 2, "snapshot": {**minimal, "audit_unverified": "team"}},
    }
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    for name, payload in payloads.items():
        data = json.dumps(payload, separators=(",", ":")).encode()
        # Odd first byte: the payload alone, which the target signs itself (3: and
        # checks more around it).
        write("bundle", "payload-" + name, b"\x01" + data)
        if name == "full":
            write("bundle", "payload-full-resigned", b"\x03" + data)
        # Even first byte: a whole bundle file, signed here.
        signature = key.sign(b"keyward-bundle-v1\x00" + data)
        envelope = {"format": "keyward-bundle", "version": 1,
                    "public_key": base64.b64encode(public).decode(),
                    "payload": base64.b64encode(data).decode(),
                    "signature": base64.b64encode(signature).decode()}
        write("bundle", "signed-" + name, b"\x00" + json.dumps(envelope, indent=2).encode())
    write("bundle", "wrong-format", b"\x00" + json.dumps(
        {"format": "keyward-attestation", "version": 1, "public_key": "", "payload": "",
         "signature": ""}).encode())

    def entry(path, rule="github-pat-classic", fingerprint="00112233445566778899aabbccddeeff"):
        return {"fingerprint": fingerprint, "rule": rule, "path": path}

    write("scan_baseline", "written", json.dumps({"findings": [
        entry("config/ci.yml"), entry("docs/setup.md", rule="generic-secret-assignment"),
        entry("src/main.rs", fingerprint="ffeeddccbbaa99887766554433221100"),
    ]}, indent=2) + "\n")
    write("scan_baseline", "keyed", json.dumps({"findings": [
        entry("src/app.py", fingerprint="v2:" + "0123456789abcdef" * 4),
        entry("src/app.py", fingerprint="v1k:" + "fedcba9876543210" * 4),
    ]}, indent=2) + "\n")
    write("scan_baseline", "empty", '{"findings":[]}')
    write("scan_baseline", "duplicates", json.dumps({"findings": [entry("a"), entry("a"), entry("a/b")]}))
    write("scan_baseline", "unicode-paths", json.dumps({"findings": [entry("d\u00e9j\u00e0/\u00fc.txt")]}))


def zip_of(entries, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_of(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def gzip_of(content):
    return gzip.compress(content, mtime=0)


def scan_seeds():
    """The scanner's archive reader and JSON view: archives of each kind, nested, and
    JSON files with escapes, all holding low-entropy text."""
    properties = b"spring.datasource.password=xxxxxxxx\n"
    env = b"API_TOKEN=placeholder-placeholder\n"
    tar = tar_of([("pkg/config.env", env), ("pkg/readme.txt", b"hello\n")])
    jar = zip_of([("META-INF/app.properties", properties), ("lib/vendor.tar.gz", gzip_of(tar))])
    write("scan_archive", "zip", zip_of([("config/application.properties", properties)]))
    write("scan_archive", "zip-stored", zip_of([("a.txt", env)], method=zipfile.ZIP_STORED))
    write("scan_archive", "tar", tar)
    write("scan_archive", "tar-gz", gzip_of(tar))
    write("scan_archive", "gz", gzip_of(env))
    write("scan_archive", "nested", zip_of([("app.jar", jar), ("notes.txt.gz", gzip_of(b"note\n"))]))
    deep = zip_of([("deep.txt", env)])
    for level in range(4):
        deep = zip_of([(f"level{level}.zip", deep)])
    write("scan_archive", "too-deep", deep)
    write("scan_archive", "empty-zip", zip_of([]))

    write("scan_json_view", "notebook", json.dumps({"cells": [{"cell_type": "code", "source": [
        "import os\n", "aws_secret_access_key = \"xxxxxxxxxxxxxxxxxxxx\"\n", "print(\"ok\")"]}],
        "nbformat": 4}, indent=1) + "\n")
    write("scan_json_view", "service-account", json.dumps({
        "type": "service_account", "project_id": "demo",
        "private_key": "-----PLACEHOLDER-----\nAAAA\nAAAA\n-----END-----\n",
        "client_email": "a@demo.iam.gserviceaccount.com"}, indent=2) + "\n")
    write("scan_json_view", "escapes", '["\\u0041\\u00e9\\t\\b\\f\\/\\\\\\"", "\\q\\u12", "\\"]')
    write("scan_json_view", "bom-array", b"\xef\xbb\xbf[\"token = \\\"aaaa\\\"\"]")


def keyed_seeds():
    """Only the certificate-import seeds (they carry private keys), into KEYED."""
    shutil.rmtree(KEYED, ignore_errors=True)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        make_pki(work)
        certificate_seeds(work)


def main():
    if sys.argv[1:] == ["--keyed"]:
        keyed_seeds()
        return
    for target in ["tls_flight", "tls_record", "tls_handshake", "import_dotenv", "import_postman",
                   "import_csv", "import_pem", "import_pkcs12", "jwt", "bundle", "scan_baseline",
                   "scan_archive", "scan_json_view"]:
        seeds = CORPUS / target
        if seeds.exists():
            # Seeds that are not made here (inputs that once crashed a target) are kept.
            for path in seeds.iterdir():
                if not path.name.startswith("crash-"):
                    path.unlink()
    shutil.rmtree(KEYED, ignore_errors=True)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        make_pki(work)
        tls_seeds(work)
        certificate_seeds(work)
    text_seeds()
    jwt_seeds()
    bundle_seeds()
    scan_seeds()
    for target in sorted(path.name for path in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
