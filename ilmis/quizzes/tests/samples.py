# ruff: noqa: E501
"""Sample files, shaped like Moodle 4.x exports."""

import base64

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG64 = base64.b64encode(PNG).decode()

MOODLE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for Bureautique/Excel</text>
    </category>
    <info format="moodle_auto_format">
      <text>Questions Excel</text>
    </info>
    <idnumber></idnumber>
  </question>
<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>Cellule active</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Quelle cellule est active ? <img src="@@PLUGINFILE@@/grille.png" alt="grille"></p>]]></text>
      <file name="grille.png" path="/" encoding="base64">{PNG64}</file>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>La cellule active est encadrée.</p>]]></text>
    </generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>XL-1</idnumber>
    <single>true</single>
    <shuffleanswers>false</shuffleanswers>
    <answernumbering>ABCD</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text>Bravo.</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>Presque.</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>Non.</text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>B2</p>]]></text>
      <feedback format="html">
        <text><![CDATA[<p>Oui &amp; bien vu</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>A1</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <hint format="html">
      <text><![CDATA[<p>Regardez le cadre.</p>]]></text>
      <shownumcorrect/>
    </hint>
    <hint format="html">
      <text>Encore.</text>
      <clearwrong/>
    </hint>
    <tags>
      <tag><text>excel</text></tag>
      <tag><text>débutant</text></tag>
    </tags>
  </question>
  <question type="multichoice">
    <name><text>Formats</text></name>
    <questiontext format="moodle_auto_format"><text>Formats de fichier Excel ?</text></questiontext>
    <generalfeedback format="moodle_auto_format"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>false</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="50" format="plain_text"><text>xlsx</text><feedback format="html"><text/></feedback></answer>
    <answer fraction="50" format="plain_text"><text>xls</text><feedback format="html"><text/></feedback></answer>
    <answer fraction="-100" format="plain_text"><text>docx</text><feedback format="markdown"><text>**Non**</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>Somme</text></name>
    <questiontext format="html"><text>SOMME additionne des cellules.</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html"><text>Exact.</text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html"><text>Si, elle additionne.</text></feedback>
    </answer>
  </question>
  <question type="shortanswer">
    <name><text>Fonction</text></name>
    <questiontext format="html"><text>Fonction qui compte les cellules ?</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <usecase>1</usecase>
    <answer fraction="100" format="moodle_auto_format"><text>NB</text><feedback format="html"><text/></feedback></answer>
    <answer fraction="50" format="moodle_auto_format"><text>NB*</text><feedback format="html"><text>Presque</text></feedback></answer>
  </question>
  <question type="numerical">
    <name><text>Colonnes</text></name>
    <questiontext format="html"><text>Combien de colonnes (en milliers) ?</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <answer fraction="100" format="moodle_auto_format"><text>16.384</text><feedback format="html"><text/></feedback><tolerance>0.001</tolerance></answer>
    <answer fraction="0" format="moodle_auto_format"><text>*</text><feedback format="html"><text>Non</text></feedback><tolerance>0</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>k</unit_name></unit></units>
  </question>
  <question type="matching">
    <name><text>Raccourcis</text></name>
    <questiontext format="html"><text>Associez.</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <shuffleanswers>true</shuffleanswers>
    <correctfeedback format="html"><text></text></correctfeedback>
    <partiallycorrectfeedback format="html"><text></text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text></text></incorrectfeedback>
    <subquestion format="html"><text>Ctrl+C</text><answer><text>Copier</text></answer></subquestion>
    <subquestion format="html"><text>Ctrl+V</text><answer><text>Coller</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Couper</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Tableau croisé</text></name>
    <questiontext format="html"><text>Expliquez un tableau croisé dynamique.</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>5.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
    <responseformat>editor</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>10</responsefieldlines>
    <minwordlimit></minwordlimit>
    <maxwordlimit>300</maxwordlimit>
    <attachments>0</attachments>
    <attachmentsrequired>0</attachmentsrequired>
    <maxbytes>0</maxbytes>
    <filetypeslist></filetypeslist>
    <graderinfo format="html"><text>Attendu : sources, champs.</text></graderinfo>
    <responsetemplate format="html"><text></text></responsetemplate>
  </question>
  <question type="description">
    <name><text>Consigne</text></name>
    <questiontext format="markdown"><text>Lisez **attentivement**.</text></questiontext>
    <generalfeedback format="markdown"><text></text></generalfeedback>
    <defaultgrade>0.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
  </question>
</quiz>
"""

GIFT_ALL_TYPES = """// Un exemple de chaque type
$CATEGORY: $course$/top/Démo

::TF:: La Terre est ronde. {T}

::SC:: Couleur entre orange et vert ? {=jaune#oui ~rouge#non ~bleu}

::MC:: Deux bonnes réponses {~%50%a ~%50%b ~%-100%c}

::SA:: Capitale de la France ? {=Paris =%50%Par*}

::NUM:: Pi ? {#3.14:0.01}

::MAT:: Associez {=chat -> croquettes =vache -> herbe}

::ES:: Racontez. {}

::DE:: Lisez la suite.
"""
