"""Packages built on the fly for tests and benchmarks (no binary fixtures in the repository)."""

import io
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg12" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1"><title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg2004" version="1.0"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>{edition}</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1"><title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""

SCO_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head>
<body><h1>{title}</h1><p id="status">…</p></body></html>
"""


def item_12(ident, title, res, mastery=None, extra=""):
    mastery_xml = f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore>" if mastery else ""
    return (
        f'      <item identifier="{ident}" identifierref="{res}"><title>{title}</title>'
        f"{mastery_xml}{extra}</item>"
    )


def item_2004(ident, title, res, min_measure=None, extra="", parameters=""):
    seq = ""
    if min_measure is not None:
        seq = (
            '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" '
            f'satisfiedByMeasure="true"><imsss:minNormalizedMeasure>{min_measure}'
            "</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>"
            "</imsss:sequencing>"
        )
    params = f' parameters="{parameters}"' if parameters else ""
    return (
        f'      <item identifier="{ident}" identifierref="{res}"{params}><title>{title}'
        f"</title>{extra}{seq}</item>"
    )


def resource(ident, href, version="1.2"):
    attr = 'adlcp:scormtype="sco"' if version == "1.2" else 'adlcp:scormType="sco"'
    return (
        f'    <resource identifier="{ident}" type="webcontent" {attr} href="{href}">'
        f'<file href="{href}"/></resource>'
    )


def manifest(
    version="1.2",
    title="Cours de test",
    scos=(("sco1", "Leçon 1", "index.html"),),
    mastery=None,
    min_measure=None,
    edition="2004 4th Edition",
    extra_items="",
):
    if version == "1.2":
        items = "\n".join(item_12(i, t, f"r_{i}", mastery) for i, t, _h in scos)
        resources = "\n".join(resource(f"r_{i}", h) for i, _t, h in scos)
        return MANIFEST_12.format(title=title, items=items + extra_items, resources=resources)
    items = "\n".join(item_2004(i, t, f"r_{i}", min_measure) for i, t, _h in scos)
    resources = "\n".join(resource(f"r_{i}", h, "2004") for i, _t, h in scos)
    return MANIFEST_2004.format(
        title=title, items=items + extra_items, resources=resources, edition=edition
    )


def build_zip(files, compression=zipfile.ZIP_DEFLATED):
    """A zip (bytes) from {name: str | bytes | zipfile.ZipInfo-tuple}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, content in files.items():
            if isinstance(content, tuple):  # (ZipInfo, data)
                zf.writestr(content[0], content[1])
            else:
                zf.writestr(name, content)
    return buffer.getvalue()


def package_zip(version="1.2", scos=(("sco1", "Leçon 1", "index.html"),), pages=None, **kwargs):
    files = {"imsmanifest.xml": manifest(version, scos=scos, **kwargs)}
    for _i, title, href in scos:
        files[href.split("?")[0]] = (pages or {}).get(href, SCO_HTML.format(title=title))
    return build_zip(files)


# A SCO for browser tests: it finds the API, reads entry/location/suspend_data, shows them, and
# buttons set status, score and location, then leave with exit=suspend.
TEST_SCO_12 = """<!doctype html><html><head><meta charset="utf-8"><title>SCO 1.2</title>
<script>
function findAPI(w){var n=0;while(w&&!w.API&&w.parent&&w.parent!==w&&n<10){w=w.parent;n++;}
  return w&&w.API?w.API:(window.opener&&window.opener.API)||null;}
var api=findAPI(window);
function show(){
  document.getElementById('entry').textContent=api.LMSGetValue('cmi.core.entry');
  document.getElementById('location').textContent=api.LMSGetValue('cmi.core.lesson_location');
  document.getElementById('suspend').textContent=api.LMSGetValue('cmi.suspend_data');
  document.getElementById('status').textContent=api.LMSGetValue('cmi.core.lesson_status');
}
window.addEventListener('load',function(){
  document.getElementById('init').textContent=api.LMSInitialize('');
  show();
});
function work(){
  api.LMSSetValue('cmi.core.lesson_location','page-7');
  api.LMSSetValue('cmi.suspend_data','{"answers":[1,2,3]}');
  api.LMSSetValue('cmi.core.score.raw','85');
  api.LMSSetValue('cmi.core.lesson_status','incomplete');
  api.LMSSetValue('cmi.core.session_time','00:01:30.5');
  api.LMSSetValue('cmi.core.exit','suspend');
  document.getElementById('bad').textContent=api.LMSSetValue('cmi.core.score.raw','abc')+
    ' '+api.LMSGetLastError();
  api.LMSCommit('');
  document.getElementById('done').textContent='ok';
}
function finish(){ api.LMSSetValue('cmi.core.lesson_status','passed'); api.LMSFinish('');
  document.getElementById('done').textContent='finished'; }
</script></head><body>
<p>init <span id="init"></span> entry <span id="entry"></span>
 location <span id="location"></span> suspend <span id="suspend"></span>
 status <span id="status"></span> bad <span id="bad"></span> <span id="done"></span></p>
<button id="work" onclick="work()">work</button>
<button id="finish" onclick="finish()">finish</button>
</body></html>
"""

TEST_SCO_2004 = """<!doctype html><html><head><meta charset="utf-8"><title>SCO 2004</title>
<script>
function findAPI(w){var n=0;while(w&&!w.API_1484_11&&w.parent&&w.parent!==w&&n<10){
  w=w.parent;n++;}
  return w&&w.API_1484_11?w.API_1484_11:(window.opener&&window.opener.API_1484_11)||null;}
var api=findAPI(window);
function show(){
  document.getElementById('entry').textContent=api.GetValue('cmi.entry');
  document.getElementById('location').textContent=api.GetValue('cmi.location');
  document.getElementById('suspend').textContent=api.GetValue('cmi.suspend_data');
  document.getElementById('status').textContent=api.GetValue('cmi.completion_status');
}
window.addEventListener('load',function(){
  document.getElementById('init').textContent=api.Initialize('');
  show();
});
function work(){
  api.SetValue('cmi.location','slide-12');
  api.SetValue('cmi.suspend_data','state=42;seen=1,2,3');
  api.SetValue('cmi.score.scaled','0.9');
  api.SetValue('cmi.score.raw','90');
  api.SetValue('cmi.completion_status','incomplete');
  api.SetValue('cmi.interactions.0.id','q1');
  api.SetValue('cmi.interactions.0.type','choice');
  api.SetValue('cmi.interactions.0.learner_response','a[,]b');
  api.SetValue('cmi.session_time','PT1M30S');
  api.SetValue('cmi.exit','suspend');
  document.getElementById('bad').textContent=api.SetValue('cmi.score.scaled','2')+
    ' '+api.GetLastError();
  document.getElementById('done').textContent='ok';
}
function finish(){ api.SetValue('cmi.completion_status','completed');
  api.SetValue('cmi.success_status','passed'); api.SetValue('cmi.exit','normal');
  api.Terminate(''); document.getElementById('done').textContent='finished'; }
</script></head><body>
<p>init <span id="init"></span> entry <span id="entry"></span>
 location <span id="location"></span> suspend <span id="suspend"></span>
 status <span id="status"></span> bad <span id="bad"></span> <span id="done"></span></p>
<button id="work" onclick="work()">work</button>
<button id="finish" onclick="finish()">finish</button>
</body></html>
"""
