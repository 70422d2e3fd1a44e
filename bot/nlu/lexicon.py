"""Cue lexicon: regular expressions over folded text (lowercase, no accents).

Each cue group is one compiled alternation so matching a message costs one regex scan per group.
Stems end in `\\w*` where Dutch or English inflection varies, which also absorbs many typos in
word endings ("ontevrede", "teleurgesteld").
"""

from __future__ import annotations

import re

from bot.nlu.rx import alternation

# --- dispute: formal objection or legal steps -----------------------------------------------
DISPUTE = alternation(
    r"\bbezwaar\w*",
    r"\bbetwist\w*",
    r"\bniet akkoord\b",
    r"\badvoca\w*",
    r"\bgeschillencommissie\b",
    r"\bin gebreke\b",
    r"\bingebrekestelling\b",
    r"\b(kanton)?rechter\b",
    r"\brechtbank\b",
    r"\bjuridisch\w*",
    r"\brechtsbijstand\w*",
    r"\bsommatie\b",
    r"\bontbind\w*\b[^.?!]{0,30}\b(overeenkomst|contract|koop)\b",
    r"\bombudsman\b",
    r"\bdisput\w*",
    r"\bcontest\w*",
    r"\bobject(ion)? to\b",
    r"\b(formal )?objection\b",
    r"\b(lawyer|solicitor|attorney)s?\b",
    r"\blegal (action|steps|proceedings|advice)\b",
    r"\bsmall claims\b",
    r"\bcourt\b",
    r"\bnotice of default\b",
    r"\b(sue|suing)\b",
)

# --- nuisance: trouble caused by neighbours -------------------------------------------------
NEIGHBOUR = alternation(
    r"\b(buren|buurman|buurvrouw|buurjongen\w*|buurmeisje\w*|buurkinderen)\b",
    r"\b(boven|onder|beneden|achter)(buren|buurman|buurvrouw|buur)\b",
    r"\b(mede)?bewoners?\b",
    r"\b(woning|huis|flat|appartement) (naast|boven|onder)\b",
    r"\bnaast (ons|mij|me)\b",
    r"\bneighbou?r\w*",
    r"\bnext door\b",
    r"\b(flat|house|apartment) (below|above|upstairs|downstairs|opposite)\b",
    r"\b(upstairs|downstairs)\b",
)
NUISANCE = alternation(
    r"\b(geluids)?overlast\b",
    r"\blawaai\w*",
    r"\bherrie\b",
    r"\bgeluid\w*",
    r"\bmuziek\b",
    r"\bfeest\w*",
    r"\bblaf\w*",
    r"\bstank\b",
    r"\bstinkt\b",
    r"\b\w*lucht\b",
    r"\brook\w*",
    r"\bscheld\w*|\buitgescholden\b",
    r"\bintimide\w*",
    r"\bbedreig\w*",
    r"\btreiter\w*",
    r"\blastig\w*",
    r"\bverniel\w*",
    r"\b(afval|vuilnis\w*|rommel)\b",
    r"\bboor\w*",
    r"\bparkeer\w*",
    r"\bnois\w*",
    r"\bloud\b",
    r"\bmusic\b",
    r"\bpart(y|ies)\b",
    r"\bbark\w*",
    r"\bsmell\w*",
    r"\bstink\w*",
    r"\bshout\w*",
    r"\babus\w*",
    r"\bharass\w*",
    r"\bthreat\w*",
    r"\bintimidat\w*",
    r"\bdrill\w*",
    r"\brubbish\b",
    r"\bpark(s|ing|ed)?\b",
    r"\b(cannabis|weed)\b",
    r"\bvandal\w*",
)
# "wateroverlast" is a leak, not neighbours; the emergency check runs first anyway.
OVERLAST = re.compile(r"\b(geluids)?overlast\b|\bantisocial\b|\banti-social\b")

# --- complaints -----------------------------------------------------------------------------
# Outright dissatisfaction or a negative judgement.
EXPLICIT = alternation(
    r"\bklacht\w*",
    r"\bklag\w*",
    r"\bontevred\w*",
    r"\bniet (erg |zo |helemaal |echt )?tevreden\b",
    r"\bteleurgesteld\w*|\bteleurstel\w*",
    r"\b(boos|kwaad|woedend|geergerd|geirriteerd|gefrustreerd)\b",
    r"\bslecht\w*",
    r"\bwaardeloos\b",
    r"\bbelachelijk\w*",
    r"\bschandal\w*|\bschande\b",
    r"\bonacceptabel\b|\bonaanvaardbaar\b",
    r"\bonbeleefd\b|\bonvriendelijk\b|\bonaardig\b|\bonbeschoft\b|\bbrutaal\b|\bkortaf\b",
    r"\bonredelijk\b|\boneerlijk\b",
    r"\b(niet )?klant(on)?vriendelijk\b",
    r"\bniet normaal\b",
    r"\buitgelachen\b|\buitgescholden\b|\bafgesnauwd\b|\bgenegeerd\b",
    r"\bhing\b[^.?!]{0,15}\bop\b|\bopgehangen\b",
    r"\bverkeerd\w*",
    r"\bklopt\b[^.?!]{0,10}\b(niet|geen)\b|\bniet klopt\b",
    r"\bte laat\b",
    r"\b(is|zijn|raakt|geraakt)\b[^.?!]{0,10}\b(kwijt|zoek)\b|\bkwijtgeraakt\b",
    r"\bontbre\w*",
    r"\bvergeten\b",
    r"\bnooit\b",
    r"\bonbereikbaar\b",
    r"\bbedankt voor niets\b|\bthanks for nothing\b",
    r"\bergens anders\b|\blaatste keer\b",
    r"\bongenoegen\b",
    r"\bvervelend\b|\bjammer\b|\bhelaas\b",
    r"\bniet (herken|afgesproken|besteld|gevraagd)\w*",
    r"\bcomplain\w*",
    r"\b(dis|un)satisf\w*|\bunhappy\b|\bnot (happy|pleased|impressed|satisfied)\b",
    r"\bdisappoint\w*",
    r"\b(terrible|awful|horrible|appalling|dreadful|shocking|disgrace\w*|disgust\w*)\b",
    r"\bunacceptable\b|\bridiculous\b|\boutrageous\b|\bjoke\b",
    r"\b(rude|impolite|condescending|unhelpful|unfriendly|arrogant)\b",
    r"\b(shouted|swore|yelled|laughed at|ignored|hung up)\b",
    r"\bpoor\b|\bbad\b|\bworst\b|\buseless\b|\brubbish\b",
    r"\bunfair\b|\bunreasonable\b|\bmakes no sense\b|\binconvenient\b",
    r"\bfed up\b|\bnever again\b",
    r"\bwrong\b",
    r"\bovercharg\w*|\bcharged twice\b|\bdouble charged\b",
    r"\b(is|was|got|been) lost\b|\bmissing\b",
    r"\b(too|very|so) late\b|\blate\b",
    r"\bforg[oe]t\w*",
    r"\bnothing (was|has been|got) done\b",
    r"\bnobody|no one|no-one\b",
    r"\bcan'?t reach\b|\bunreachable\b",
)
# Dissatisfaction that has to be read between the lines.
HIDDEN = alternation(
    r"\bzou(den)?\b(?![^.?!]{0,40}\b(kunnen|willen)\b)[^.?!]{0,50}"
    r"\b(worden|komen|zijn|krijgen|bellen|mailen|sturen|beginnen|terugbellen|opnemen|reageren|"
    r"geleverd|gebeld|teruggebeld|gemaild|gerepareerd|opgelost|langskomen|klaar)\b",
    r"\bbeloofd\w*|\btoegezegd\b|\bbelofte\w*",
    r"\bal\b[^.?!]{0,12}\b(dagen|weken|maanden|uur|uren|keer|jaren|kwartier|tijden)\b",
    r"\bwacht\w*\b[^.?!]{0,10}\bal\b|\bal\b[^.?!]{0,10}\b(wacht|gewacht)\w*",
    r"\ballang\b|\bzo lang\b",
    r"\bnog (steeds|altijd|niets|niks|geen|niet|steeds niet)\b",
    r"\balweer\b|\bweer (niet|geen|kapot|stuk|mis|te laat|een)\b|\bopnieuw\b",
    r"\b(tweede|derde|vierde|vijfde|zoveelste|zesde) keer\b",
    r"\b(\d+|twee|drie|vier|vijf|zes|tien) ?(x|keer)\b[^.?!]{0,20}"
    r"\b(gebeld|gemaild|gevraagd|geweest|gemeld|geprobeerd|gestuurd|bellen|mailen)\b",
    r"\b(elke|iedere) keer\b|\bsteeds\b",
    r"\beindelijk\b",
    r"\bhoe vaak\b|\bhoe lang nog\b|\bnog langer\b",
    r"\b(duurt|duren|duurde)\b[^.?!]{0,20}\blang\b",
    r"\beigenlijk wel\b|\b(deze|dit) keer wel\b",
    r"\bwaar blijft\b|\bhoezo\b",
    r"\bwaarom\b[^.?!]{0,40}\b(moet|niet|nooit|geen|kost|betalen|duurt|zelf)\b",
    r"\btenminste\b",
    r"\bal nieuws\b|\bniets gehoord\b|\bniks gehoord\b|\bgeen (reactie|antwoord|bericht)\b",
    r"\bineens\b|\bopeens\b|\bzomaar\b",
    r"\bzonder (bericht|overleg|dat|te melden|aankondiging)\b",
    r"\bniemand\b",
    r"\b(is|vind) (dat|het|dit) normaal\b",
    r"\bin de wacht\b",
    r"\bsupposed to\b",
    r"\b(was|were|been) (told|promised|assured)\b|\bpromis\w*",
    r"\bwould (call|ring|phone|email|e-mail|be|get|come|arrive|hear|contact|reply)\b",
    r"\bstill\b",
    r"\b(been|was|am|i'm) waiting\b|\bwaiting (for|since)\b",
    r"\b(days|weeks|months|hours) (now|ago|later)\b",
    r"\bit'?s been\b",
    r"\bagain\b",
    r"\b(second|third|fourth|fifth|umpteenth|nth) time\b",
    r"\bkeeps?\b|\bkept\b",
    r"\bactually\b|\bfinally\b|\bapparently\b",
    r"\bhow many (more )?times\b|\bhow (much )?long(er)? (do|must|will|should) (i|we) \w*\s?wait\b",
    r"\bany (update|news)\b",
    r"\bno (reply|response|answer|word)\b|\bheard (nothing|no)\b|\bnothing back\b",
    r"\bnever (got|received|heard|arrived|turned|showed|came)\b",
    r"\bwhy (do|does|did|is|has|have|am|are|was|were|should|must)\b",
    r"\b(is|was) (it|this|that) normal\b",
    r"\bwithout (any |a )?(notice|warning|asking|anyone|telling|permission)\b",
    r"\b(on hold|stuck)\b",
    r"\bwhat is going on\b|\bwhat'?s going on\b",
    # Expectation against reality: ordered one thing, something else arrived.
    r"\b(besteld|bestelde|betaald|gevraagd)\b[^.?!]{0,60}\b(gekregen|ontvangen|geleverd|kwam|zat|zaten)\b",
    r"\bin plaats van\b|\banders dan\b|\bniets? (zoals|lijkt op)\b",
    r"\b(ordered|paid for|asked for)\b[^.?!]{0,60}\b(got|received|arrived|came|sent|turned up)\b",
    r"\binstead of\b|\bnothing like\b|\bdifferent (from|to|than)\b",
    # Money taken wrongly or after cancelling.
    r"\b(twee|drie|2|3|dubbel)\s?(keer|x)?\b[^.?!]{0,30}\b(afgeschreven|geincasseerd|betaald|afgeboekt)\b",
    r"\b(opgezegd|stopgezet)\b[^.?!]{0,60}\b(nog|toch|door)\b",
    r"\b(charged|debited|taken|billed)\b[^.?!]{0,30}\b(twice|two times|three times|again)\b",
    r"\b(cancell?ed|closed)\b[^.?!]{0,60}\b(still|billed|charged|taking|keeps?)\b",
    r"\b(billed|charged) for\b[^.?!]{0,40}\b(cancell?ed|never|didn'?t)\b",
    # Only machines answer.
    r"\bautomatisch\w* (antwoord|bericht|reactie|mail)\w*|\bstandaard\s?(mail|antwoord|zin)\w*",
    r"\b(automatic|automated|auto-?reply|no-?reply|template|canned)\b",
    # Rhetorical questions with a negative frame.
    r"\buberhaupt\b|\beigenlijk (nog|wel|ooit)\b|\b(te )?veel gevraagd\b",
    r"\b(even|actually|ever) (read|going to|coming)\b|\btoo much to ask\b",
    # Understatement.
    r"\bniet (bepaald|echt|zo|erg) (blij|tevreden|gelukkig)\b",
    r"\bnot (exactly|overly|too|very|really|that) (happy|thrilled|pleased|impressed)\b",
)
# A fault or defect is stated; with a request it is a repair, on its own a complaint.
PROBLEM = alternation(
    r"\bkapot\w*|\bstuk\b(?! voor)|\bdefect\w*",
    r"\blek(t|ken|kage|kend|kende|t)?\b",
    r"\b(werkt|werken|doet|doen)\b[^.?!]{0,10}\bniet\b|\bniet meer\b[^.?!]{0,10}\b(werkt|doet)\b",
    r"\bklemt\b|\bscheur\w*|\bgebroken\b|\bbeschadig\w*|\bdeuk\w*|\bkras\w*|\bvlek\w*",
    r"\bstoring\w*|\bfoutmelding\w*|\bfoutcode\w*|\bvalt\b[^.?!]{0,10}\buit\b|\bgaat\b[^.?!]{0,15}\buit\b",
    r"\braar geluid\b|\b(zoemend|piepend|tikkend) geluid\b|\blawaai\b",
    r"\bverstopt\b|\bloopt\b[^.?!]{0,15}\b(niet|traag)\b[^.?!]{0,5}\bdoor\b",
    r"\blos(gekomen|geraakt|gelaten)?\b|\bgerafeld\b|\bwiebel\w*|\bdoorgezakt\b|\bnat\b",
    r"\bbroken\b|\bbroke\b|\bdamag\w*|\bleak\w*|\bdrip\w*|\bfault\w*|\bdefective\b",
    r"\b(not|stopped|isn'?t|doesn'?t|don'?t|won'?t) (work|start|open|close|drain|cool|heat|charge|"
    r"switch|turn)\w*",
    r"\bcrack\w*|\bstiff\b|\berror\b|\bdent\w*|\bstain\w*|\bscratch\w*",
    r"\bloose\b|\bwobbl\w*|\bpeel\w*|\bburns?\b|\bruined\b|\bsoaking\b",
    r"\bno hot water\b|\bgeen warm water\b",
)
# Asking someone to come and fix something.
REPAIR_REQUEST = alternation(
    r"\b(kunt|kan|kunnen|wilt|zou|zouden)\b[^.?!]{0,30}\b(sturen|langskomen|langs komen|kijken|"
    r"repareren|maken|vervangen|verhelpen|verholpen|gerepareerd|vervangen|nakijken|inplannen|komen)\b",
    r"\bgraag\b[^.?!]{0,30}\b(monteur|afspraak|reparatie|iemand)\b",
    r"\b(reparatie|onderhoud)\w*\b[^.?!]{0,25}\b(aanvragen|inplannen|plannen|melden)\b",
    r"\b(monteur|loodgieter|elektricien)\b[^.?!]{0,15}\b(sturen|langs)\b",
    r"\b(could|can|would|will)\b[^.?!]{0,30}\b(send|come|fix|repair|replace|replaced|repaired|fixed|"
    r"look|arrange|book)\b",
    r"\bplease\b[^.?!]{0,20}\b(send|arrange|fix|repair|book|replace|come)\b",
    r"\b(request|book|arrange|schedule)\b[^.?!]{0,10}"
    r"\b(a |an )?(repair|service visit|engineer|visit)\b",
    r"\bsend someone\b|\bcome (round|by|out)\b|\bhave a look\b",
)
REPAIR_WORDS = alternation(
    r"\b(monteur|reparatie|repareren|onderhoud|loodgieter|elektricien|klusjesman)\w*",
    r"\b(repair|engineer|plumber|electrician|handyman|service visit|maintenance|fix)\w*",
)
# Praise; thanks alone ("ok, dank je") is an acknowledgement, not a compliment.
COMPLIMENT = alternation(
    r"\bcompliment\w*",
    r"\b(bedank\w*|dank (u|je|jullie)( wel)?)\b[^.?!]{0,10}\bvoor\b",
    r"\b(zeer|heel|erg|super) (tevreden|blij)\b|\b(ben|zijn) (zeer |heel |erg )?tevreden\b",
    r"\b(top|super|geweldig|fantastisch|uitstekend|prachtig|perfect|fijn\w*|netjes|vakman)\b",
    r"\bvriendelijk (geholpen|ontvangen)\b|\bgoed geholpen\b",
    r"\bthank(s| you)\b[^.?!]{0,15}\bfor\b",
    r"\b(great|brilliant|excellent|amazing|fantastic|wonderful|superb|perfect|lovely)\b",
    r"\b(happy|pleased|delighted) (with|about)\b|\bvery (happy|pleased)\b",
    r"\bkudos\b|\bwell done\b|\bfive stars\b|\btop job\b|\bso helpful\b|\bvery friendly\b",
)
# A contrast after praise usually introduces the real point ("netjes geleverd, maar ...").
CONTRAST = re.compile(r"\b(maar|echter|alleen|helaas|but|however|unfortunately)\b")

QUESTION_START = re.compile(
    r"^(wat|waar|wanneer|waarom|hoe|hoeveel|welke|wie|kan|kunt|kunnen|mag|mogen|is|zijn|heeft|hebben|"
    r"heb|doen|doet|leveren|verkopen|zou|what|where|when|why|how|which|who|can|could|do|does|is|are|"
    r"will|would|may|should)\b"
)
