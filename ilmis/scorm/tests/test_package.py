"""Safe import of SCORM packages (R6.5, R6.2): checked before anything is stored."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from ilmis.scorm import services
from ilmis.scorm.models import Sco, ScormPackage
from ilmis.scorm.package import PackageError, inspect
from ilmis.scorm.testing import build_zip, item_2004, manifest, package_zip


def write(tmp_path, data, name="paquet.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems_of(path):
    with pytest.raises(PackageError) as info:
        inspect(path)
    return " ".join(info.value.problems)


def media_scorm(settings):
    root = Path(settings.MEDIA_ROOT) / "scorm"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_valid_12_package(tmp_path):
    """R6.5: a SCORM 1.2 package is recognised with its SCO, launch file and mastery score."""
    path = write(tmp_path, package_zip("1.2", mastery="80"))
    result = inspect(path)
    assert result.version == "1.2"
    assert [s.launch for s in result.scos] == ["index.html"]
    assert result.scos[0].mastery_score == "80"
    assert result.title == "Cours de test"


@pytest.mark.parametrize(
    "edition,expected",
    [
        ("2004 4th Edition", "2004-4"),
        ("2004 3rd Edition", "2004-3"),
        ("CAM 1.3", "2004-2"),
    ],
)
def test_valid_2004_editions(tmp_path, edition, expected):
    """R6.5: SCORM 2004 2nd/3rd/4th edition from schemaversion; minNormalizedMeasure read."""
    path = write(tmp_path, package_zip("2004", edition=edition, min_measure="0.75"))
    result = inspect(path)
    assert result.version == expected
    assert result.scos[0].min_normalized_measure == "0.75"
    assert result.scos[0].satisfied_by_measure is True


def test_2004_without_schemaversion_uses_namespaces(tmp_path):
    """R6.5: without schemaversion, the ADL namespace tells the version."""
    xml = manifest("2004").replace("<schemaversion>2004 4th Edition</schemaversion>", "")
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml, "index.html": "x"}))
    assert inspect(path).version.startswith("2004")


def test_unsupported_version(tmp_path):
    """R6.5: an unknown schemaversion is refused in French."""
    xml = manifest("1.2").replace(">1.2<", ">1.1<")
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml, "index.html": "x"}))
    assert "Version SCORM non prise en charge" in problems_of(path)


def test_multi_sco_nested_items_parameters_and_2004_data(tmp_path):
    """R6.5: nested items, several SCOs in order, parameters, dataFromLMS, time limits."""
    extra = (
        "<adlcp:dataFromLMS>niveau=2</adlcp:dataFromLMS>"
        "<adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>"
        '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8"/>'
        '<imsss:sequencing><imsss:limitConditions attemptAbsoluteDurationLimit="PT1H30M"/>'
        "</imsss:sequencing>"
    )
    items = (
        '      <item identifier="chap1"><title>Chapitre 1</title>\n'
        + item_2004("a", "Partie A", "r_a", extra=extra, parameters="?lang=fr")
        + "\n"
        + item_2004("b", "Partie B", "r_b")
        + "\n      </item>\n"
        + item_2004("c", "Conclusion", "r_c")
    )
    xml = manifest("2004", scos=()).replace(
        "\n\n    </organization>", "\n" + items + "\n    </organization>"
    )
    xml = xml.replace(
        "<resources>\n",
        """<resources>
    <resource identifier="r_a" adlcp:scormType="sco" type="webcontent" href="a/start.html?x=1"/>
    <resource identifier="r_b" adlcp:scormType="sco" type="webcontent" xml:base="b/"
      href="page%20un.html"/>
    <resource identifier="r_c" adlcp:scormType="asset" type="webcontent" href="c.html"/>
""",
    )
    files = {"imsmanifest.xml": xml, "a/start.html": "a", "b/page un.html": "b", "c.html": "c"}
    result = inspect(write(tmp_path, build_zip(files)))
    assert [s.identifier for s in result.scos] == ["a", "b", "c"]
    a, b, c = result.scos
    assert (a.launch, a.parameters, a.level) == ("a/start.html", "?x=1&lang=fr", 1)
    assert a.data_from_lms == "niveau=2"
    assert a.time_limit_action == "exit,message"
    assert a.max_time_allowed == "PT1H30M"
    assert a.completion_threshold == "0.8"
    assert b.launch == "b/page un.html"
    assert c.kind == "asset" and c.level == 0
    assert result.organizations[0]["items"][0]["title"] == "Chapitre 1"


def test_no_manifest(tmp_path):
    """R6.5: no imsmanifest.xml: refused, in French."""
    path = write(tmp_path, build_zip({"index.html": "x"}))
    assert "ne contient pas de fichier imsmanifest.xml" in problems_of(path)


def test_manifest_in_sub_folder(tmp_path):
    """R6.5: the manifest in a sub-folder: the message names the folder."""
    path = write(
        tmp_path, build_zip({"cours/imsmanifest.xml": manifest(), "cours/index.html": "x"})
    )
    text = problems_of(path)
    assert "n'est pas à la racine" in text and "« cours/ »" in text


def test_manifest_name_in_capitals(tmp_path):
    """R6.5: a manifest named IMSManifest.xml is explained."""
    path = write(tmp_path, build_zip({"IMSManifest.xml": manifest(), "index.html": "x"}))
    assert "en minuscules" in problems_of(path)


def test_missing_launch_file(tmp_path):
    """R6.5: a launch file absent from the zip is reported with its name."""
    path = write(tmp_path, build_zip({"imsmanifest.xml": manifest()}))
    assert "« index.html »" in problems_of(path) and "absent" in problems_of(path)


def test_not_a_zip(tmp_path):
    """R6.5: a file that is not a zip is refused in French."""
    path = write(tmp_path, b"pas un zip du tout")
    assert "n'est pas une archive zip valide" in problems_of(path)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../evil.html", "sort du dossier"),
        ("a/../../evil.html", "sort du dossier"),
        ("/etc/passwd", "absolu"),
        ("C:/windows/evil.html", "absolu"),
        ("a\\..\\evil.html", "barre oblique inverse"),
    ],
)
def test_path_traversal(tmp_path, name, expected):
    """R6.2: names escaping the package folder are refused before anything is written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest())
        zf.writestr("index.html", "x")
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo normalises some names; force the raw one
        zf.writestr(info, "evil")
    assert expected in problems_of(write(tmp_path, buffer.getvalue()))


def test_symlink_refused(tmp_path):
    """R6.2: a symbolic link in the zip is refused."""
    info = zipfile.ZipInfo("lien.html")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    data = build_zip(
        {"imsmanifest.xml": manifest(), "index.html": "x", "lien.html": (info, "/etc/passwd")}
    )
    assert "lien symbolique" in problems_of(write(tmp_path, data))


def test_zip_bomb_ratio(tmp_path):
    """R6.2: a file inflating more than 100 times is refused (zip bomb)."""
    data = build_zip(
        {"imsmanifest.xml": manifest(), "index.html": "x", "zeros.bin": b"\0" * (20 * 1024 * 1024)}
    )
    assert "bombe de décompression" in problems_of(write(tmp_path, data))


def test_unpacked_size_and_upload_limits(tmp_path, settings):
    """R6.2: the total unpacked size and the upload size are limited by settings."""
    settings.ILMIS_SCORM_MAX_UNPACKED_BYTES = 1000
    data = build_zip({"imsmanifest.xml": manifest(), "index.html": "x" * 5000})
    assert "Une fois décompressé" in problems_of(write(tmp_path, data))
    settings.ILMIS_SCORM_MAX_UPLOAD_BYTES = 100
    assert "plus que la limite" in problems_of(write(tmp_path, data, "b.zip"))


def test_billion_laughs_refused(tmp_path):
    """R6.2: XML entities (billion laughs) are refused without being expanded."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><manifest>&b;</manifest>'
    )
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml}))
    assert "entités" in problems_of(path)


def test_xxe_refused(tmp_path):
    """R6.2: external entities (XXE) are refused, nothing is read from disk or network."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<manifest>&x;</manifest>"
    )
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml}))
    assert "entités" in problems_of(path)


def test_external_launch_refused(tmp_path):
    """R6.2: a launch URL outside the package is refused."""
    xml = manifest().replace('href="index.html">', 'href="https://evil.example/x.html">', 1)
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml, "index.html": "x"}))
    assert "hors du paquet" in problems_of(path)


def test_invalid_mastery_score(tmp_path):
    """R6.5: adlcp:masteryscore must be 0-100."""
    path = write(tmp_path, package_zip("1.2", mastery="120"))
    assert "masteryscore" in problems_of(path)


@pytest.mark.django_db
def test_import_stores_files_and_rows(tmp_path, settings, staff):
    """R6.5: an accepted package is extracted under MEDIA_ROOT/scorm/<uuid>/ with its SCOs."""
    path = write(
        tmp_path,
        package_zip("2004", scos=(("s1", "Un", "un.html"), ("s2", "Deux", "deux/deux.html"))),
    )
    package = services.import_package(path, by=staff)
    assert package.version == "2004-4"
    assert list(package.scos.values_list("identifier", "launch")) == [
        ("s1", "un.html"),
        ("s2", "deux/deux.html"),
    ]
    assert (package.root / "deux" / "deux.html").is_file()
    assert media_scorm(settings) == [str(package.uuid)]


@pytest.mark.django_db
def test_failed_import_stores_nothing(tmp_path, settings, staff):
    """R6.5: a refused package leaves no row and no file."""
    path = write(tmp_path, build_zip({"imsmanifest.xml": manifest()}))
    with pytest.raises(PackageError):
        services.import_package(path, by=staff)
    assert not ScormPackage.objects.exists() and not Sco.objects.exists()
    assert media_scorm(settings) == []


def test_command_checks_without_storing(tmp_path, capsys, db, settings):
    """R6.5: `ilmis import_scorm ZIP` prints version, SCOs and launch files; stores nothing."""
    path = write(tmp_path, package_zip("1.2", scos=(("s1", "Leçon un", "un.html"),)))
    call_command("import_scorm", str(path))
    out = capsys.readouterr().out
    assert "SCORM 1.2" in out and "Leçon un" in out and "un.html" in out
    assert not ScormPackage.objects.exists()


def test_command_reports_problems_with_nonzero_exit(tmp_path, db):
    """R6.5: problems are printed and the command exits non-zero."""
    path = write(tmp_path, build_zip({"index.html": "x"}))
    with pytest.raises(SystemExit) as info:
        call_command("import_scorm", str(path))
    assert info.value.code != 0


def test_command_imports_with_activity(tmp_path, capsys, db):
    """R6.5: with --activity the package is stored and linked to the SCORM activity, whose
    programme then gives access."""
    from ilmis.enrolment.testing import make_programme
    from ilmis.learning import kinds
    from ilmis.learning.models import Activity, Module

    programme = make_programme()
    module = Module.objects.create(programme=programme, title="Module 1")
    activity = Activity.objects.create(module=module, kind="scorm", title="Cours SCORM")
    path = write(tmp_path, package_zip("2004"))
    call_command("import_scorm", str(path), "--activity", str(activity.pk))
    package = ScormPackage.objects.get()
    assert "importé" in capsys.readouterr().out
    assert package.activity == activity and package.programme == programme
    assert kinds.launch_url(activity) == f"/scorm/{package.uuid}/jouer/"


def test_demo_package_loads_once(db, staff):
    """R6.5: the demo package is valid SCORM 2004 with two SCOs; loading twice is a no-op."""
    from ilmis.scorm import demo

    demo.load_demo()
    demo.load_demo()
    package = ScormPackage.objects.get()
    assert package.version == "2004-4" and package.scos.count() == 2
    assert (package.root / "copier" / "index.html").is_file()


def test_command_unknown_activity_stores_nothing(tmp_path, db, settings, capsys):
    """R6.5: --activity naming no SCORM activity: refused, nothing stored."""
    path = write(tmp_path, package_zip("2004"))
    with pytest.raises(SystemExit) as info:
        call_command("import_scorm", str(path), "--activity", "999")
    assert info.value.code == 1
    assert "n'existe pas" in capsys.readouterr().err
    assert not ScormPackage.objects.exists() and media_scorm(settings) == []


@pytest.mark.django_db
def test_lying_sizes_caught_while_extracting(tmp_path, settings, staff):
    """R6.2: a zip whose headers declare a tiny size for a big file passes the header checks but
    is stopped while writing; nothing is stored."""
    import struct

    big = b"\0" * (5 * 1024 * 1024)
    data = bytearray(build_zip({"imsmanifest.xml": manifest(), "index.html": "x", "big.bin": big}))
    name = b"big.bin"
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = struct.pack("<I", 1000)
            start += 4
    path = write(tmp_path, bytes(data))
    assert inspect(path).unpacked_bytes < 10_000  # the headers lie
    with pytest.raises(PackageError) as info:
        services.import_package(path, by=staff)
    assert "endommagée" in " ".join(info.value.problems) or "bombe" in " ".join(info.value.problems)
    assert not ScormPackage.objects.exists() and media_scorm(settings) == []


def test_duplicate_item_identifiers(tmp_path):
    """R6.5: two items with the same identifier are reported (nothing half-stored)."""
    xml = manifest("1.2", scos=(("s1", "Un", "a.html"), ("s1", "Deux", "b.html")))
    path = write(tmp_path, build_zip({"imsmanifest.xml": xml, "a.html": "a", "b.html": "b"}))
    assert "utilisé deux fois" in problems_of(path)
