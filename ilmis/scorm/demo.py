"""Demo content (called by `ilmis demo`): a small SCORM 2004 package with two SCOs, attached to
the demo programme (and to its SCORM activity if the learning app created one). Idempotent."""

import tempfile
from pathlib import Path

DEMO_TITLE = "Démo SCORM — les raccourcis Excel"

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.5}}
button{{font:inherit;padding:.5rem 1rem;margin:.25rem 0}}</style>
<script>
function api(w){{var n=0;while(w&&!w.API_1484_11&&w.parent&&w.parent!==w&&n<10){{w=w.parent;n++;}}
return w&&w.API_1484_11;}}
var A=api(window), pages={pages}, page=0;
function show(){{document.getElementById('p').textContent=pages[page];
document.getElementById('n').textContent=(page+1)+' / '+pages.length;
A.SetValue('cmi.location',String(page));
A.SetValue('cmi.progress_measure',String(((page+1)/pages.length).toFixed(2)));}}
window.onload=function(){{A.Initialize('');
if(A.GetValue('cmi.entry')==='resume'){{page=parseInt(A.GetValue('cmi.location')||'0',10)||0;}}
A.SetValue('cmi.completion_status','incomplete');A.SetValue('cmi.exit','suspend');show();}};
function move(d){{page=Math.max(0,Math.min(pages.length-1,page+d));show();}}
function done(){{A.SetValue('cmi.completion_status','completed');
A.SetValue('cmi.success_status','passed');A.SetValue('cmi.score.scaled','1');
A.SetValue('cmi.exit','normal');A.SetValue('adl.nav.request','continue');
A.Terminate('');}}
</script></head><body><h1>{title}</h1><p id="p"></p><p id="n"></p>
<button onclick="move(-1)">Précédent</button> <button onclick="move(1)">Suivant</button>
<button onclick="done()">J'ai terminé cette partie</button></body></html>
"""


def _package_bytes():
    import json

    from .testing import build_zip, manifest

    parts = [
        (
            "copier",
            "Copier, coller, annuler",
            ["Ctrl+C copie la sélection.", "Ctrl+V colle.", "Ctrl+Z annule."],
        ),
        (
            "naviguer",
            "Se déplacer vite",
            ["Ctrl+flèche va au bout des données.", "Ctrl+Début revient en A1."],
        ),
    ]
    files = {
        "imsmanifest.xml": manifest(
            "2004", title=DEMO_TITLE, scos=tuple((i, t, f"{i}/index.html") for i, t, _p in parts)
        )
    }
    for ident, title, pages in parts:
        files[f"{ident}/index.html"] = PAGE.format(title=title, pages=json.dumps(pages))
    return build_zip(files)


def load_demo():
    from ilmis.accounts.models import User

    from . import services
    from .models import ScormPackage

    if ScormPackage.objects.filter(title=DEMO_TITLE).exists():
        return
    programme = None
    try:
        from ilmis.catalog.models import Programme
        from ilmis.enrolment.demo import DEMO_SLUG

        programme = Programme.objects.filter(slug=DEMO_SLUG).first()
    except ImportError:
        pass
    staff = User.objects.filter(role=User.Role.STAFF).first()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.zip"
        path.write_bytes(_package_bytes())
        package = services.import_package(path, by=staff, programme=programme, title=DEMO_TITLE)
    try:
        from ilmis.learning.models import Activity

        from .integration import attach

        activity = Activity.objects.filter(kind="scorm", module__programme=programme).first()
        if programme is not None and activity is not None:
            attach(activity, package)
    except ImportError:
        pass
