"""Microsoft Graph client for Teams meetings (R10.1): token with msal, meetings over HTTPS.

Configured by settings or environment variables (settings win):
  ILMIS_GRAPH_TENANT_ID, ILMIS_GRAPH_CLIENT_ID,
  ILMIS_GRAPH_CLIENT_SECRET, or ILMIS_GRAPH_CERTIFICATE_PATH + ILMIS_GRAPH_CERTIFICATE_THUMBPRINT,
  ILMIS_GRAPH_ORGANIZER (object id or UPN of the account that owns the meetings),
  ILMIS_GRAPH_AUTHORITY_URL (default https://login.microsoftonline.com),
  ILMIS_GRAPH_BASE_URL (default https://graph.microsoft.com/v1.0),
  ILMIS_GRAPH_CA_BUNDLE (optional CA file for TLS, e.g. a proxy's or the test server's),
  ILMIS_GRAPH_TIMEOUT (s, default 10), ILMIS_GRAPH_MAX_ATTEMPTS (default 4),
  ILMIS_GRAPH_MAX_RETRY_AFTER (s, longest wait honoured from Retry-After, default 30).

Errors become `GraphError` with a French message for the person at the form: 401/403 at once;
429 and 5xx retried (Retry-After honoured, bounded); timeouts and connection errors retried,
then reported. Meetings are created with `POST /users/{organizer}/onlineMeetings/createOrGet`
keyed by the class's externalId, so a retry after a timeout cannot create a second meeting.
"""

import functools
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SCOPES = ["https://graph.microsoft.com/.default"]
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_BASE = "https://graph.microsoft.com/v1.0"

_sleep = time.sleep  # tests replace it to see the waits without waiting
_apps = {}  # msal applications by configuration: msal keeps the token cached in each


class GraphError(Exception):
    """Graph refused or failed; `str(error)` is a French sentence for the user."""

    def __init__(self, message, *, status=None, code=""):
        super().__init__(message)
        self.status = status
        self.code = code


class GraphNotFound(GraphError):
    pass


def _setting(name, default=""):
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return value


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    client_secret: str
    certificate_path: str
    certificate_thumbprint: str
    organizer: str
    authority_url: str
    base_url: str
    ca_bundle: str
    timeout: float
    max_attempts: int
    max_retry_after: float

    @property
    def authority(self):
        return f"{self.authority_url.rstrip('/')}/{self.tenant_id}"

    @property
    def verify(self):
        return self.ca_bundle or True


def config():
    """The Graph configuration, or None when the organisation has not configured Graph."""
    cfg = GraphConfig(
        tenant_id=str(_setting("ILMIS_GRAPH_TENANT_ID")).strip(),
        client_id=str(_setting("ILMIS_GRAPH_CLIENT_ID")).strip(),
        client_secret=str(_setting("ILMIS_GRAPH_CLIENT_SECRET")),
        certificate_path=str(_setting("ILMIS_GRAPH_CERTIFICATE_PATH")).strip(),
        certificate_thumbprint=str(_setting("ILMIS_GRAPH_CERTIFICATE_THUMBPRINT")).strip(),
        organizer=str(_setting("ILMIS_GRAPH_ORGANIZER")).strip(),
        authority_url=str(_setting("ILMIS_GRAPH_AUTHORITY_URL", DEFAULT_AUTHORITY)).strip()
        or DEFAULT_AUTHORITY,
        base_url=str(_setting("ILMIS_GRAPH_BASE_URL", DEFAULT_BASE)).strip().rstrip("/")
        or DEFAULT_BASE,
        ca_bundle=str(_setting("ILMIS_GRAPH_CA_BUNDLE")).strip(),
        timeout=float(_setting("ILMIS_GRAPH_TIMEOUT", 10)),
        max_attempts=max(1, int(_setting("ILMIS_GRAPH_MAX_ATTEMPTS", 4))),
        max_retry_after=float(_setting("ILMIS_GRAPH_MAX_RETRY_AFTER", 30)),
    )
    has_credential = cfg.client_secret or (cfg.certificate_path and cfg.certificate_thumbprint)
    if not (cfg.tenant_id and cfg.client_id and has_credential and cfg.organizer):
        return None
    return cfg


def is_configured():
    return config() is not None


# -- token -------------------------------------------------------------------------------------


def _credential(cfg):
    if cfg.client_secret:
        return cfg.client_secret
    try:
        with open(cfg.certificate_path, encoding="utf-8") as handle:
            private_key = handle.read()
    except OSError as error:
        raise GraphError(
            _("Le certificat Microsoft Graph est illisible (%(path)s) : %(error)s.")
            % {"path": cfg.certificate_path, "error": error.strerror or error}
        ) from error
    return {"private_key": private_key, "thumbprint": cfg.certificate_thumbprint}


def _http_client(cfg):
    """msal's HTTP session, with our timeout and CA bundle passed on every request (a session-
    wide `verify` would lose to REQUESTS_CA_BUNDLE from the environment)."""
    session = requests.Session()
    session.request = functools.partial(session.request, timeout=cfg.timeout, verify=cfg.verify)
    return session


def _application(cfg):
    import msal

    key = (cfg.authority, cfg.client_id, cfg.client_secret, cfg.certificate_path, cfg.ca_bundle)
    app = _apps.get(key)
    if app is None:
        try:
            app = msal.ConfidentialClientApplication(
                cfg.client_id,
                client_credential=_credential(cfg),
                authority=cfg.authority,
                validate_authority=cfg.authority_url.rstrip("/") == DEFAULT_AUTHORITY,
                http_client=_http_client(cfg),
            )
        except GraphError:
            raise
        except (ValueError, requests.RequestException) as error:
            logger.warning("Graph authority unusable: %s", error)
            raise GraphError(
                _(
                    "Impossible de joindre le service d'authentification Microsoft "
                    "(locataire « %(tenant)s ») : vérifiez l'identifiant du locataire et la "
                    "connexion du serveur. La classe n'a pas été enregistrée."
                )
                % {"tenant": cfg.tenant_id}
            ) from error
        _apps[key] = app
    return app


def forget_tokens():
    """Drop the cached applications and their tokens (after a refusal, or in tests)."""
    _apps.clear()


def acquire_token(cfg):
    """An application token for Graph (client credentials); GraphError if refused."""
    app = _application(cfg)
    try:
        result = app.acquire_token_for_client(scopes=SCOPES)
    except requests.RequestException as error:
        raise GraphError(
            _("Le service d'authentification Microsoft ne répond pas. Réessayez plus tard.")
        ) from error
    if "access_token" in result:
        return result["access_token"]
    code = result.get("error", "")
    logger.warning("Graph token refused: %s %s", code, result.get("error_description", ""))
    forget_tokens()
    if code in ("invalid_client", "unauthorized_client", "invalid_request"):
        message = _(
            "Microsoft a refusé les identifiants de l'application (%(code)s) : vérifiez "
            "l'identifiant client et le secret ou le certificat configurés."
        )
    else:
        message = _("Microsoft n'a pas délivré de jeton d'accès (%(code)s).")
    raise GraphError(message % {"code": code or "?"}, code=code)


# -- requests ----------------------------------------------------------------------------------


def _retry_after(response, default):
    value = (response.headers.get("Retry-After") or "").strip()
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = (parsedate_to_datetime(value) - timezone.now()).total_seconds()
            except (TypeError, ValueError):
                seconds = default
    else:
        seconds = default
    return max(0.0, seconds)


def _graph_message(response):
    try:
        error = response.json().get("error", {})
        return error.get("code", ""), error.get("message", "")
    except ValueError:
        return "", response.text[:200]


def request(cfg, method, path, *, json=None, session=None):
    """One Graph call with the retry policy; returns the response (2xx or 404 for DELETE)."""
    url = path if path.startswith("https://") else f"{cfg.base_url}{path}"
    token = acquire_token(cfg)
    http = session or requests
    last_problem = ""
    for attempt in range(1, cfg.max_attempts + 1):
        final = attempt == cfg.max_attempts
        try:
            response = http.request(
                method,
                url,
                json=json,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=cfg.timeout,
                verify=cfg.verify,
            )
        except requests.Timeout:
            last_problem = "timeout"
            logger.warning("Graph %s %s timed out (attempt %s)", method, path, attempt)
            if not final:
                _sleep(min(2 ** (attempt - 1), cfg.max_retry_after))
            continue
        except requests.ConnectionError:
            last_problem = "connection"
            logger.warning("Graph %s %s: connection error (attempt %s)", method, path, attempt)
            if not final:
                _sleep(min(2 ** (attempt - 1), cfg.max_retry_after))
            continue
        status = response.status_code
        if status < 300:
            return response
        code, detail = _graph_message(response)
        if status == 429 or status >= 500:
            last_problem = f"{status}"
            wait = _retry_after(response, default=2 ** (attempt - 1))
            logger.warning("Graph %s %s: %s, retry in %ss", method, path, status, wait)
            if not final:
                _sleep(min(wait, cfg.max_retry_after))
            continue
        if status == 401:
            forget_tokens()
            raise GraphError(
                _(
                    "Microsoft Graph a refusé l'authentification (401) : le jeton de "
                    "l'application n'est pas accepté. Vérifiez le locataire, l'identifiant "
                    "client et le secret ou le certificat."
                ),
                status=status,
                code=code,
            )
        if status == 403:
            raise GraphError(
                _(
                    "Microsoft Graph a refusé l'accès (403) : l'application n'a pas la "
                    "permission OnlineMeetings.ReadWrite.All ou n'est pas autorisée par une "
                    "stratégie d'accès pour l'organisateur « %(organizer)s »."
                )
                % {"organizer": cfg.organizer},
                status=status,
                code=code,
            )
        if status == 404:
            raise GraphNotFound(
                _("Microsoft Graph ne trouve pas cette réunion (404)."), status=status, code=code
            )
        raise GraphError(
            _("Microsoft Graph a refusé la demande (%(status)s %(code)s) : %(detail)s")
            % {"status": status, "code": code, "detail": detail},
            status=status,
            code=code,
        )
    if last_problem in ("timeout", "connection"):
        message = _(
            "Microsoft Graph ne répond pas (%(count)s tentatives) : la réunion Teams n'a pas "
            "pu être mise à jour. Réessayez dans quelques minutes ou collez un lien Teams."
        )
    else:
        message = _(
            "Microsoft Graph est indisponible ou surchargé (%(count)s tentatives, dernière "
            "réponse %(status)s). Réessayez dans quelques minutes."
        )
    raise GraphError(
        message % {"count": cfg.max_attempts, "status": last_problem},
        status=int(last_problem) if last_problem.isdigit() else None,
    )


def _meetings_path(cfg, meeting_id=None):
    path = f"/users/{quote(cfg.organizer, safe='@')}/onlineMeetings"
    if meeting_id:
        path += f"/{quote(meeting_id, safe='')}"
    return path


def _body(subject, start, end):
    return {
        "subject": subject,
        "startDateTime": start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "endDateTime": end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }


def create_meeting(cfg, *, subject, start, end, external_id):
    """Create (or get, on a retried call) the meeting; returns {"id", "joinWebUrl"}."""
    body = _body(subject, start, end) | {"externalId": external_id}
    data = request(cfg, "POST", _meetings_path(cfg) + "/createOrGet", json=body).json()
    if not data.get("id") or not data.get("joinWebUrl"):
        raise GraphError(_("Microsoft Graph n'a pas renvoyé de lien de réunion."))
    return data


def update_meeting(cfg, meeting_id, *, subject, start, end):
    return request(cfg, "PATCH", _meetings_path(cfg, meeting_id), json=_body(subject, start, end))


def delete_meeting(cfg, meeting_id):
    """Delete the meeting; a meeting already gone counts as deleted."""
    try:
        request(cfg, "DELETE", _meetings_path(cfg, meeting_id))
    except GraphNotFound:
        return False
    return True


def _collect(cfg, path):
    items, url = [], path
    while url:
        data = request(cfg, "GET", url).json()
        items.extend(data.get("value", []))
        url = data.get("@odata.nextLink")
    return items


def attendance_reports(cfg, meeting_id):
    """[(report, [records])] of the meeting, from Graph's attendanceReports."""
    base = _meetings_path(cfg, meeting_id) + "/attendanceReports"
    reports = _collect(cfg, base)
    return [
        (report, _collect(cfg, f"{base}/{quote(report['id'], safe='')}/attendanceRecords"))
        for report in reports
    ]
