"""Safe inspection and extraction of SCORM packages (R6.5, R6.2).

`inspect(path)` checks a zip before anything is stored and returns what the manifest says, or
raises `PackageError` with every problem in plain French. `extract(path, dest)` writes the files
under `dest` with the same limits enforced while writing (declared sizes may lie).
"""

from __future__ import annotations

import posixpath
import re
import shutil
import stat
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
MAX_RATIO = 100
MAX_FILES = 20_000
MAX_MANIFEST_BYTES = 10 * MB
RATIO_MIN_BYTES = MB  # below this size, a high ratio is only well-compressed text

VERSIONS = {
    "1.2": "SCORM 1.2",
    "2004-2": "SCORM 2004 2e édition",
    "2004-3": "SCORM 2004 3e édition",
    "2004-4": "SCORM 2004 4e édition",
}

ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

TIMESPAN_12 = re.compile(r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$")
DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$"
)
TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}


def max_upload_bytes():
    return getattr(settings, "ILMIS_SCORM_MAX_UPLOAD_BYTES", 500 * MB)


def max_unpacked_bytes():
    return getattr(settings, "ILMIS_SCORM_MAX_UNPACKED_BYTES", 2048 * MB)


class PackageError(Exception):
    """The package is refused; `problems` lists every reason, in French."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class ScoInfo:
    identifier: str
    title: str
    resource: str
    launch: str  # path inside the package, decoded, no query
    parameters: str = ""  # query string and/or fragment, starting with ? or #
    kind: str = "sco"  # sco or asset
    level: int = 0
    mastery_score: str | None = None  # 1.2, 0-100
    data_from_lms: str = ""
    time_limit_action: str = ""
    max_time_allowed: str = ""  # 1.2 HHHH:MM:SS, 2004 ISO 8601 duration
    min_normalized_measure: str | None = None  # 2004, -1..1
    satisfied_by_measure: bool = False
    completion_threshold: str | None = None  # 2004, 0..1


@dataclass
class Manifest:
    version: str
    title: str
    identifier: str
    organizations: list = field(default_factory=list)  # [{identifier, title, items: [...]}]
    default_organization: str = ""
    scos: list[ScoInfo] = field(default_factory=list)
    file_count: int = 0
    unpacked_bytes: int = 0

    @property
    def version_label(self):
        return VERSIONS[self.version]

    def as_json(self):
        data = asdict(self)
        data.pop("scos")
        return data


# --- the archive -----------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def _name_problem(name):
    if "\x00" in name:
        return _("Le nom « %(name)s » contient un caractère nul.") % {"name": name}
    if "\\" in name:
        return _("Le chemin « %(name)s » contient une barre oblique inverse (\\), refusée.") % {
            "name": name
        }
    if name.startswith("/") or _DRIVE.match(name):
        return _("Le chemin « %(name)s » est absolu, refusé.") % {"name": name}
    if ".." in name.split("/"):
        return _("Le chemin « %(name)s » sort du dossier du paquet (« .. »), refusé.") % {
            "name": name
        }
    return None


def _is_symlink(info):
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _check_archive(zf, size):
    problems = []
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        problems.append(
            _("L'archive contient %(n)d fichiers, plus que la limite de %(max)d.")
            % {"n": len(infos), "max": MAX_FILES}
        )
        return problems, 0
    total = 0
    seen = set()
    for info in infos:
        name = info.filename
        problem = _name_problem(name)
        if problem:
            problems.append(problem)
            continue
        if _is_symlink(info):
            problems.append(_("« %(name)s » est un lien symbolique, refusé.") % {"name": name})
            continue
        if info.flag_bits & 0x1:
            problems.append(_("« %(name)s » est chiffré, refusé.") % {"name": name})
            continue
        if name in seen:
            problems.append(_("« %(name)s » apparaît deux fois dans l'archive.") % {"name": name})
        seen.add(name)
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            problems.append(
                _(
                    "« %(name)s » se décompresse %(ratio)d fois plus gros que dans l'archive "
                    "(bombe de décompression ?), limite %(max)d."
                )
                % {
                    "name": name,
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "max": MAX_RATIO,
                }
            )
    limit = max_unpacked_bytes()
    if total > limit:
        problems.append(
            _(
                "Une fois décompressé, le paquet ferait %(size)s Mo, plus que la "
                "limite de %(max)s Mo."
            )
            % {"size": total // MB, "max": limit // MB}
        )
    if total > RATIO_MIN_BYTES and total > MAX_RATIO * max(size, 1):
        problems.append(
            _(
                "L'archive se décompresse %(ratio)d fois plus grosse que son poids "
                "(bombe de décompression ?), limite %(max)d."
            )
            % {"ratio": total // max(size, 1), "max": MAX_RATIO}
        )
    return problems, total


# --- the manifest ----------------------------------------------------------------------------


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node, name):
    return [child for child in node if _local(child.tag) == name]


def _child(node, name):
    found = _children(node, name)
    return found[0] if found else None


def _text(node, name):
    child = _child(node, name)
    return (child.text or "").strip() if child is not None else ""


def _attr(node, name, ns=None):
    """An attribute by local name, in the given namespace or in any of the ADL ones."""
    for key, value in node.attrib.items():
        if ns and key == f"{{{ns}}}{name}":
            return value.strip()
    for key, value in node.attrib.items():
        if _local(key) == name and (ns is None or key.startswith("{")):
            return value.strip()
    return None


def _detect_version(root, namespaces):
    metadata = _child(root, "metadata")
    schemaversion = _text(metadata, "schemaversion") if metadata is not None else ""
    value = schemaversion.lower()
    if value:
        if value in ("1.2",):
            return "1.2", None
        if value in ("cam 1.3", "2004 2nd edition"):
            return "2004-2", None
        if value == "2004 3rd edition":
            return "2004-3", None
        if value == "2004 4th edition":
            return "2004-4", None
        return None, _(
            "Version SCORM non prise en charge : « %(v)s » (versions acceptées : "
            "1.2, 2004 2e, 3e et 4e édition)."
        ) % {"v": schemaversion}
    if ADLCP_2004 in namespaces:
        return "2004-3", None
    if ADLCP_12 in namespaces:
        return "1.2", None
    return None, _(
        "Le manifeste n'indique pas de version SCORM (élément schemaversion absent "
        "et aucun espace de noms ADL) : ce n'est pas un paquet SCORM reconnu."
    )


def _decimal(value, low, high):
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < low or number > high:
        return None
    return str(number)


def _join_base(*parts):
    """Resolve xml:base values and an href, as a browser would (relative to the package)."""
    path = ""
    for part in parts:
        if not part:
            continue
        if urlsplit(part).scheme or part.startswith("/"):
            path = part
        else:
            path = posixpath.join(path[: path.rfind("/") + 1] if path else "", part)
    return path


def _parse_manifest(data, names):
    problems = []
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise PackageError(
            [
                _(
                    "Le manifeste imsmanifest.xml déclare des entités ou des références "
                    "externes XML, refusées pour des raisons de sécurité."
                )
            ]
        ) from None
    except SafeET.ParseError as error:
        raise PackageError(
            [_("Le manifeste imsmanifest.xml n'est pas un XML valide : %(e)s.") % {"e": error}]
        ) from None
    if _local(root.tag) != "manifest":
        raise PackageError([_("imsmanifest.xml ne commence pas par un élément <manifest>.")])
    namespaces = {
        tag.split("}")[0][1:]
        for tag in (el.tag for el in root.iter())
        if isinstance(tag, str) and tag.startswith("{")
    }
    for element in root.iter():
        namespaces.update(k.split("}")[0][1:] for k in element.attrib if k.startswith("{"))
    version, problem = _detect_version(root, namespaces)
    if problem:
        raise PackageError([problem])
    is_12 = version == "1.2"

    manifest_base = root.get(XML_BASE, "")
    resources = {}
    resources_node = _child(root, "resources")
    resources_base = resources_node.get(XML_BASE, "") if resources_node is not None else ""
    for res in _children(resources_node, "resource") if resources_node is not None else []:
        ident = res.get("identifier", "")
        href = res.get("href")
        kind = (_attr(res, "scormtype") or _attr(res, "scormType") or "asset").lower()
        full = (
            _join_base(manifest_base, resources_base, res.get(XML_BASE, ""), href) if href else None
        )
        resources[ident] = {"href": full, "kind": "sco" if kind == "sco" else "asset"}

    organizations_node = _child(root, "organizations")
    default_org = organizations_node.get("default", "") if organizations_node is not None else ""
    organizations = []
    scos = []

    seen_items = set()

    def read_item(node, level, org_title):
        ident = node.get("identifier", "")
        title = _text(node, "title") or ident
        if not ident or len(ident) > 255:
            problems.append(
                _("L'élément « %(item)s » n'a pas d'identifiant valide (1 à 255 caractères).")
                % {"item": title[:80]}
            )
        elif ident in seen_items:
            problems.append(
                _("L'identifiant d'élément « %(id)s » est utilisé deux fois.") % {"id": ident}
            )
        seen_items.add(ident)
        entry = {
            "identifier": ident,
            "title": title,
            "items": [],
            "visible": node.get("isvisible", "true").lower() != "false",
        }
        ref = node.get("identifierref")
        if ref:
            resource = resources.get(ref)
            if resource is None:
                problems.append(
                    _(
                        "L'élément « %(item)s » renvoie à la ressource « %(ref)s », "
                        "absente du manifeste."
                    )
                    % {"item": title, "ref": ref}
                )
            elif not resource["href"]:
                problems.append(
                    _(
                        "La ressource « %(ref)s » de l'élément « %(item)s » n'a pas de "
                        "fichier de lancement (href)."
                    )
                    % {"item": title, "ref": ref}
                )
            else:
                sco = _read_sco(node, ident, title, ref, resource, level, is_12, problems, names)
                if sco:
                    scos.append(sco)
                    entry["sco"] = ident
        for child in _children(node, "item"):
            entry["items"].append(read_item(child, level + 1, org_title))
        return entry

    for org in (
        _children(organizations_node, "organization") if organizations_node is not None else []
    ):
        org_title = _text(org, "title") or org.get("identifier", "")
        organizations.append(
            {
                "identifier": org.get("identifier", ""),
                "title": org_title,
                "items": [read_item(item, 0, org_title) for item in _children(org, "item")],
            }
        )
    if not organizations:
        problems.append(_("Le manifeste ne contient aucune organisation (table des matières)."))
    elif not scos and not problems:
        problems.append(_("Le manifeste ne contient aucun élément à lancer."))
    if problems:
        raise PackageError(problems)
    default = next((o for o in organizations if o["identifier"] == default_org), organizations[0])
    # Only the default organization is played; its SCOs come first, in order.
    default_ids = set()

    def collect(items):
        for item in items:
            if "sco" in item:
                default_ids.add(item["sco"])
            collect(item["items"])

    collect(default["items"])
    scos = [s for s in scos if s.identifier in default_ids]
    return Manifest(
        version=version,
        title=default["title"] or root.get("identifier", ""),
        identifier=root.get("identifier", ""),
        organizations=organizations,
        default_organization=default["identifier"],
        scos=scos,
    )


def _read_sco(node, ident, title, ref, resource, level, is_12, problems, names):
    href = resource["href"]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        problems.append(
            _("Le lancement de « %(item)s » pointe vers « %(href)s », hors du paquet : refusé.")
            % {"item": title, "href": href}
        )
        return None
    path = posixpath.normpath(unquote(parts.path))
    if path.startswith("../") or path == ".." or _name_problem(path):
        problems.append(
            _("Le lancement de « %(item)s » sort du paquet (« %(href)s »).")
            % {"item": title, "href": href}
        )
        return None
    if path not in names:
        problems.append(
            _(
                "Le fichier de lancement « %(href)s » de l'élément « %(item)s » est "
                "absent de l'archive."
            )
            % {"href": path, "item": title}
        )
        return None
    query = parts.query
    params = node.get("parameters", "").strip()
    fragment = parts.fragment
    if params:
        p = urlsplit(params if params[0] in "?#" else "?" + params)
        if p.query:
            query = f"{query}&{p.query}" if query else p.query
        fragment = p.fragment or fragment
    parameters = (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    if len(path) > 1000 or len(parameters) > 1000:
        problems.append(
            _("Le lancement de « %(item)s » est trop long (1000 caractères au plus).")
            % {"item": title}
        )
        return None
    sco = ScoInfo(
        identifier=ident,
        title=title,
        resource=ref,
        launch=path,
        parameters=parameters,
        kind=resource["kind"],
        level=level,
    )
    if is_12:
        mastery = _text(node, "masteryscore")
        if mastery:
            sco.mastery_score = _decimal(mastery, 0, 100)
            if sco.mastery_score is None:
                problems.append(
                    _(
                        "adlcp:masteryscore de « %(item)s » doit être un nombre entre 0 "
                        "et 100 (« %(v)s »)."
                    )
                    % {"item": title, "v": mastery}
                )
        sco.data_from_lms = _text(node, "datafromlms")
        sco.time_limit_action = _text(node, "timelimitaction").lower()
        sco.max_time_allowed = _text(node, "maxtimeallowed")
        if sco.max_time_allowed and not TIMESPAN_12.match(sco.max_time_allowed):
            problems.append(
                _(
                    "adlcp:maxtimeallowed de « %(item)s » n'est pas une durée "
                    "HHHH:MM:SS valide (« %(v)s »)."
                )
                % {"item": title, "v": sco.max_time_allowed}
            )
    else:
        sco.data_from_lms = _text(node, "dataFromLMS")
        sco.time_limit_action = _text(node, "timeLimitAction")
        threshold = _child(node, "completionThreshold")
        if threshold is not None:
            value = threshold.get("minProgressMeasure") or (threshold.text or "").strip()
            by_measure = (
                threshold.get(
                    "completedByMeasure",
                    "false" if threshold.get("minProgressMeasure") is not None else "true",
                ).lower()
                == "true"
            )
            if value and by_measure:
                sco.completion_threshold = _decimal(value, 0, 1)
                if sco.completion_threshold is None:
                    problems.append(
                        _(
                            "adlcp:completionThreshold de « %(item)s » doit être entre "
                            "0 et 1 (« %(v)s »)."
                        )
                        % {"item": title, "v": value}
                    )
        sequencing = _child(node, "sequencing")
        if sequencing is not None:
            limits = _child(sequencing, "limitConditions")
            if limits is not None:
                sco.max_time_allowed = limits.get("attemptAbsoluteDurationLimit", "").strip()
                if sco.max_time_allowed and not DURATION.match(sco.max_time_allowed):
                    problems.append(
                        _(
                            "imsss:attemptAbsoluteDurationLimit de « %(item)s » n'est "
                            "pas une durée ISO 8601 valide (« %(v)s »)."
                        )
                        % {"item": title, "v": sco.max_time_allowed}
                    )
            objectives = _child(sequencing, "objectives")
            primary = _child(objectives, "primaryObjective") if objectives is not None else None
            if primary is not None:
                sco.satisfied_by_measure = (
                    primary.get("satisfiedByMeasure", "false").lower() == "true"
                )
                measure = _text(primary, "minNormalizedMeasure")
                if measure:
                    sco.min_normalized_measure = _decimal(measure, -1, 1)
                    if sco.min_normalized_measure is None:
                        problems.append(
                            _(
                                "imsss:minNormalizedMeasure de « %(item)s » doit être "
                                "entre -1 et 1 (« %(v)s »)."
                            )
                            % {"item": title, "v": measure}
                        )
                elif sco.satisfied_by_measure:
                    sco.min_normalized_measure = "1.0"  # the schema's default
    if sco.time_limit_action and sco.time_limit_action not in TIME_LIMIT_ACTIONS:
        problems.append(
            _("L'action en fin de temps de « %(item)s » n'est pas reconnue (« %(v)s »).")
            % {"item": title, "v": sco.time_limit_action}
        )
    if len(sco.data_from_lms) > 4096:
        problems.append(
            _("Les données de lancement de « %(item)s » dépassent 4096 caractères.")
            % {"item": title}
        )
    return sco


# --- entry points ----------------------------------------------------------------------------


def inspect(path) -> Manifest:
    """Check the zip at `path` (a path or a binary file object) without writing anything."""
    try:
        size = path.size if hasattr(path, "size") else Path(path).stat().st_size
    except (OSError, TypeError):
        size = 0
    limit = max_upload_bytes()
    if size > limit:
        raise PackageError(
            [
                _("L'archive pèse %(size)s Mo, plus que la limite de %(max)s Mo.")
                % {"size": size // MB, "max": limit // MB}
            ]
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageError([_("Le fichier n'est pas une archive zip valide.")]) from None
    with zf:
        problems, total = _check_archive(zf, size)
        if problems:
            raise PackageError(problems)
        names = {info.filename for info in zf.infolist() if not info.is_dir()}
        if "imsmanifest.xml" not in names:
            nested = sorted(n for n in names if posixpath.basename(n).lower() == "imsmanifest.xml")
            misnamed = [n for n in nested if "/" not in n]
            if misnamed:
                raise PackageError(
                    [
                        _(
                            "Le manifeste s'appelle « %(name)s » : il doit s'appeler "
                            "imsmanifest.xml, en minuscules."
                        )
                        % {"name": misnamed[0]}
                    ]
                )
            if nested:
                folder = posixpath.dirname(nested[0]) + "/"
                raise PackageError(
                    [
                        _(
                            "Le fichier imsmanifest.xml n'est pas à la racine de l'archive "
                            "mais dans le dossier « %(folder)s » : recompressez le contenu de "
                            "ce dossier (et non le dossier lui-même)."
                        )
                        % {"folder": folder}
                    ]
                )
            raise PackageError(
                [
                    _(
                        "L'archive ne contient pas de fichier imsmanifest.xml à sa "
                        "racine : ce n'est pas un paquet SCORM."
                    )
                ]
            )
        info = zf.getinfo("imsmanifest.xml")
        if info.file_size > MAX_MANIFEST_BYTES:
            raise PackageError([_("Le manifeste imsmanifest.xml est trop gros.")])
        try:
            data = zf.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            raise PackageError([_("Le manifeste imsmanifest.xml est illisible.")]) from None
        manifest = _parse_manifest(data, names)
        manifest.file_count = len(names)
        manifest.unpacked_bytes = total
        return manifest


def extract(path, dest):
    """Write the package's files under `dest` (created), enforcing the limits while writing."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=False)
    root = dest.resolve()
    budget = max_unpacked_bytes()
    written = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                problem = _name_problem(info.filename)
                if problem or _is_symlink(info):
                    raise PackageError([problem or _("Lien symbolique refusé.")])
                target = (root / info.filename).resolve()
                if root != target and root not in target.parents:
                    raise PackageError(
                        [_("Chemin hors du paquet : « %(name)s ».") % {"name": info.filename}]
                    )
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                done = 0
                with zf.open(info) as source, open(target, "wb") as out:
                    while chunk := source.read(1024 * 1024):
                        written += len(chunk)
                        done += len(chunk)
                        if written > budget or done > info.file_size:
                            raise PackageError(
                                [
                                    _(
                                        "Le paquet se décompresse au-delà des limites "
                                        "(bombe de décompression ?)."
                                    )
                                ]
                            )
                        out.write(chunk)
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        shutil.rmtree(dest, ignore_errors=True)
        raise PackageError([_("L'archive est endommagée : %(e)s.") % {"e": error}]) from None
    except PackageError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return written
