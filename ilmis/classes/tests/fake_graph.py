"""A small local HTTPS server that plays Microsoft identity platform and Graph for the tests.

It serves, with the request and response shapes Microsoft documents:
- GET  /{tenant}/v2.0/.well-known/openid-configuration   (msal's tenant discovery)
- POST /{tenant}/oauth2/v2.0/token                       (client credentials grant)
- POST /v1.0/users/{organizer}/onlineMeetings/createOrGet
- PATCH / DELETE /v1.0/users/{organizer}/onlineMeetings/{id}
- GET  /v1.0/users/{organizer}/onlineMeetings/{id}/attendanceReports[/{rid}/attendanceRecords]

msal only accepts https authorities, so the server has a self-signed certificate for 127.0.0.1
and the tests point ILMIS_GRAPH_CA_BUNDLE at it. `server.plan(method, fragment, *responses)`
queues scripted answers (status, headers, body) or "timeout" for the next matching requests.
"""

import datetime
import ipaddress
import json
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "secret-de-test"
ORGANIZER = "organisateur@ilmis.example"


def make_certificate(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "graph-cert.pem", directory / "graph-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class FakeGraph(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert_path, key_path):
        super().__init__(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.requests = []
        self.meetings = {}
        self.scripts = []
        self.timeout_seconds = 2.0
        self.lock = threading.Lock()
        self.attendance = {}  # meeting id -> list of attendance records

    @property
    def url(self):
        return f"https://127.0.0.1:{self.server_address[1]}"

    def plan(self, method, fragment, *responses):
        with self.lock:
            for response in responses:
                self.scripts.append((method, fragment, response))

    def next_scripted(self, method, path):
        with self.lock:
            for index, (m, fragment, response) in enumerate(self.scripts):
                if m == method and fragment in path:
                    del self.scripts[index]
                    return response
        return None

    def calls(self, method=None, fragment=""):
        return [
            r
            for r in self.requests
            if (method is None or r["method"] == method) and fragment in r["path"]
        ]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        entry = {
            "method": method,
            "path": unquote(path),
            "headers": dict(self.headers),
            "body": raw.decode(errors="replace"),
        }
        server.requests.append(entry)
        scripted = server.next_scripted(method, unquote(path))
        if scripted == "timeout":
            time.sleep(server.timeout_seconds)
            try:
                self._send(504, {"error": {"code": "late"}})
            except OSError:
                pass
            return
        if scripted is not None:
            status, headers, body = scripted
            return self._send(status, body, headers)
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            tenant = path.split("/")[1]
            base = f"{server.url}/{tenant}"
            return self._send(
                200,
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "private_key_jwt",
                    ],
                },
            )
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            entry["form"] = form
            assertion_ok = form.get(
                "client_assertion_type"
            ) == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" and str(
                _jwt_header(form.get("client_assertion", "")).get("x5t")
            ).rstrip("=") == getattr(server, "thumbprint_b64", None)
            secret_ok = form.get("client_secret") == SECRET
            if not (secret_ok or assertion_ok) or form.get("client_id") != CLIENT_ID:
                return self._send(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.",
                        "error_codes": [7000215],
                    },
                )
            return self._send(
                200,
                {
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "ext_expires_in": 3599,
                    "access_token": f"jeton-{uuid.uuid4().hex}",
                },
            )
        if not self.headers.get("Authorization", "").startswith("Bearer jeton-"):
            return self._send(
                401,
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Access token is empty.",
                    }
                },
            )
        prefix = f"/v1.0/users/{ORGANIZER}/onlineMeetings"
        upath = unquote(path)
        if not upath.startswith(prefix):
            return self._send(404, {"error": {"code": "NotFound", "message": upath}})
        rest = upath[len(prefix) :].strip("/").split("/") if upath != prefix else []
        body = json.loads(raw) if raw else {}
        if method == "POST" and rest == ["createOrGet"]:
            for meeting in server.meetings.values():
                if meeting["externalId"] == body.get("externalId"):
                    return self._send(200, meeting)
            meeting_id = "MSo" + uuid.uuid4().hex
            meeting = {
                "id": meeting_id,
                "externalId": body["externalId"],
                "subject": body["subject"],
                "startDateTime": body["startDateTime"],
                "endDateTime": body["endDateTime"],
                "joinWebUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                f"{meeting_id}%40thread.v2/0",
                "chatInfo": {"threadId": f"19:meeting_{meeting_id}@thread.v2"},
            }
            server.meetings[meeting_id] = meeting
            return self._send(201, meeting)
        if not rest or rest[0] not in server.meetings:
            return self._send(
                404, {"error": {"code": "NotFound", "message": "The meeting was not found."}}
            )
        meeting = server.meetings[rest[0]]
        if len(rest) == 1 and method == "PATCH":
            meeting.update(
                {k: body[k] for k in ("subject", "startDateTime", "endDateTime") if k in body}
            )
            return self._send(200, meeting)
        if len(rest) == 1 and method == "DELETE":
            del server.meetings[rest[0]]
            return self._send(204)
        if rest[1:] == ["attendanceReports"] and method == "GET":
            return self._send(
                200,
                {
                    "@odata.context": "...",
                    "value": [
                        {
                            "id": f"rapport-{rest[0]}",
                            "totalParticipantCount": len(server.attendance.get(rest[0], [])),
                            "meetingStartDateTime": meeting["startDateTime"],
                            "meetingEndDateTime": meeting["endDateTime"],
                        }
                    ],
                },
            )
        if len(rest) == 4 and rest[3] == "attendanceRecords" and method == "GET":
            return self._send(200, {"value": server.attendance.get(rest[0], [])})
        return self._send(400, {"error": {"code": "BadRequest", "message": "?"}})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")


def _jwt_header(token):
    import base64

    try:
        head = token.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, IndexError):
        return {}


def client_certificate(directory):
    """An RSA key + certificate as an app registration would hold; returns (pem, thumbprint)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ilmis-graph")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    path = directory / "app.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path, cert.fingerprint(hashes.SHA1()).hex().upper()


def attendance_record(email, name, seconds, join, leave, role="Attendee"):
    return {
        "emailAddress": email,
        "totalAttendanceInSeconds": seconds,
        "role": role,
        "identity": {"id": str(uuid.uuid4()), "displayName": name, "tenantId": None},
        "attendanceIntervals": [
            {"joinDateTime": join, "leaveDateTime": leave, "durationInSeconds": seconds}
        ],
    }
