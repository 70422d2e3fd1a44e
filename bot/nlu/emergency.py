"""The emergency safety net: signs of danger in a message, and which kind of danger.

Emergencies are not one class among others for a model to weigh: any sign of danger sends the
message down the emergency route, whatever the intent model says. A false alarm costs a customer
an emergency number they did not need (and they still get a person); a missed emergency may cost
a life. So the patterns lean towards alarm, and only wording that plainly is not about danger
here and now ("gasrekening", "the fire door", "a flood of emails") is kept out.

The kind decides which safety instruction the customer gets: gas advice for a gas smell, not
for a flooding. Where several kinds fire, the one whose instruction matters most for safety
wins (`KIND_PRIORITY`): leaving a house that smells of gas beats moving things out of the water.
"""

from __future__ import annotations

import re

from bot.nlu.rx import alternation
from bot.nlu.types import EmergencyKind

# Within one clause: danger words far apart in a long mail rarely belong together.
_NEAR = r"[^.?!\n]{0,40}"
_CLOSE = r"[^.?!\n]{0,20}"
_FAR = r"[^.?!\n]{0,60}"

# Where gas comes from in a home.
_GAS_PLACE = (
    r"(gas\w*|leiding|fornuis|kookplaat|kookeiland|kookpitten|pitten|kachel|geiser|meter|meterkast|pipe|"
    r"stove|cooker|hob|oven|boiler|heater)\b"
)
# Where gas hisses when it leaks (a boiler hisses for other reasons too).
_GAS_PIPE = (
    r"(gas\w*|leiding|gaskraan|aansluiting|meter|meterkast|fornuis|kookplaat|pipe|stove|cooker|hob)\b"
)
# Folding shortens "sssss" and "zzzz" to two letters.
_HISS = r"(gesis|sist|sissen|sissend\w*|fluit\w*|blaz\w*|geblaas|hiss\w*|whistl\w*|ss)"
_GAS = alternation(
    r"\b(?<!geen )(?<!no )gas(lucht|lugt|geur|luchtje|lek\w*|stank|achtig\w*|sy)\b",
    r"\b(ruik|ruiken|ruikt|rook|roken|riek\w*|stinkt|stinken|stonk|lucht|geur|smell\w*|smelt|"
    rf"stink\w*|whiff|reek\w*)\b{_FAR}\b(?<!niet meer naar )(?<!niet naar )gas\b"
    r"(?!\s?(rekening|prijs|prijzen|bill|meter|contract|tarief))",
    rf"\bgas\b{_CLOSE}\b(ruik\w*|riek\w*|rook|lek\w*|lucht|geur|smell\w*|leak\w*|stink\w*|stonk)",
    # Hissing at a gas pipe or appliance; a strange smell there; a pipe hit while digging.
    rf"\b{_HISS}\b{_NEAR}\b{_GAS_PIPE}|\b{_GAS_PIPE}{_NEAR}\b{_HISS}\b",
    # Bottled gas smells the same: "zoals bij een campinggasfles", "like a camping stove".
    r"\b(ruik\w*|riek\w*|smell\w*|lucht|geur)\b[^.?!\n]{0,90}\b(campinggas\w*|camping-?brander\w*|"
    r"camping ?(stove|gas|burner)|gasfles\w*)",
    r"\b(opengedraaid|open gedraaid)\b[^\n]{0,80}\b(ruikt|riekt|stinkt)\b",
    r"\b(lucht|geur|smell\w*|ruik\w*)\b[^.?!\n]{0,40}\b(aansteker|lighter)\b",
    rf"\b(chemische|rare|vreemde|vieze|penetrante|chemical|weird|strange|funny|odd) "
    rf"(lucht|geur|smell|odou?r)\b{_NEAR}\b{_GAS_PLACE}",
    rf"\b{_GAS_PLACE}{_NEAR}\b(ruikt|riekt|stinkt) (raar|vreemd|chemisch|vies)\b",
    rf"\b(gas)?leiding\b{_NEAR}\bgeraakt\b|\b(hit|damaged) a (gas )?pipe\b",
    r"\b(digging|graaf\w*|gegraven)\b(?:(?!kabel|cable)[^.?!\n]){0,60}\b(hit|geraakt|raakten|"
    r"raakte)\b",
    r"(?<!kabel )(?<!cable )\b(hit|geraakt)\b[^.?!\n]{0,30}\b(digging|graaf\w*)",
    r"\bnaar (het|de) (oude )?(fornuis|gasfornuis|gaskachel|geiser|kookplaat|gas)\W{0,3}"
    r"(stinkt|ruikt|riekt)\b",
    r"\b(knop|gaskraan|knob)\b[^.?!\n]{0,20}\bhalf (open|on)\b",
    r"\bgas\b[^.?!\n]{0,15}\b(blowing|keeps coming|coming out|escaping|ontsnapt|komt eruit|"
    r"stroomt)\b",
    r"\b(aardgas|natural gas)\b(?!\w*(rekening|prijs|bill|contract|tarief))",
    r"\b(ruuk|ruik\w*|rook)\b[^.?!\n]{0,40}\bgaas\b|(👃|💨)[^\n]{0,10}\bgas\b",
    # A burner gone out with its knob still open.
    r"\b(pit|brander|vlam|gaspit)\w*\b[^.?!\n]{0,30}\b(uitgegaan|uit gegaan|uitgewaaid|gaat uit)\b"
    r"[^\n]{0,60}\b(knop|kraan)\b[^.?!\n]{0,20}\b(open|aan)\b",
    r"\b(rot\w*|rotting) (ei|eieren|egg|eggs)\b|\b(ei|egg)\b[^.?!\n]{0,20}\b(rot\w*|rotting)\b",
    r"\b(stinkt|ruikt|riekt|smells?)\b[^.?!\n]{0,20}\b(naar|like|of) (het|de|the|a) (fornuis|"
    r"gasfornuis|kookplaat|hob|cooker|stove)\b",
    # The smell of a burner left open without a flame.
    r"\b(hob|pit|gaspit\w*|kookplaat|fornuis|cooker|stove|knob|knop)\w*\b[^.?!\n]{0,50}"
    r"\b(without (lighting|a flame)|with no flame|no flame|zonder (vuur|vlam|aan te steken))",
    r"\bgas (smell|leak|odou?r)\w*",
    # At the meter or a gas pipe: a smell, a hiss or a blowing sound; a smell as the knob turns,
    # or with everything off; the smell described (rotten cabbage, matches).
    r"\b(gasmeter|gasleiding|gaskraan|gasaansluiting|gaskastje)\w*\b[^.?!\n]{0,60}\b(lucht|geur|ruik\w*|"
    r"riek\w*|stink\w*|smell\w*|geblaas|blaast|gesis|sist)\b",
    r"\bgesis\b[^.?!\n]{0,60}\b(lucht|geur)\b|\brotte kool\b|\brotten cabbage\b",
    r"\b(knop|kraan|knob)\b[^.?!\n]{0,30}\b(omdraai|opendraai|open draai|turn)\w*\b"
    r"[^.?!\n]{0,30}\b(ruik|smell)\w*",
    r"\b(ruikt|riekt|stinkt|smells?)\b[^.?!\n]{0,90}\b(terwijl|while|though|but) "
    r"(alles|het fornuis|"
    r"de pitten|alle pitten|het gas|everything|the hob|the cooker) (uit staat|uit is|is off)\b",
    r"\b(smell\w*|lucht|geur|ruik\w*|stink\w*|reek\w*)\b[^.?!\n]{0,30}\b(matches|lucifers?)\b",
    # Eggs, also in dialect ("vuul eier", "verrotte aaier"), unless they are cooking.
    r"\b(ruik\w*|riek\w*|ruuk|stink\w*|smell\w*|lucht|geur|stank)\b[^.?!\n]{0,40}"
    r"(?<!gebakken )(?<!gekookte )(?<!fried )(?<!boiled )\b(ei|eier|eieren|aaier|eggs?)\b",
    r"\b(eier|eieren|aaier)(geur|lucht|stank)\b|\b(verrot\w*|vuul|vuile) (ei|eier|eieren|aaier)\b",
    r"\b(lucht|geur|ruikt|riekt|stinkt|smell\w*|stinks)\b[^.?!\n]{0,50}\b(alsof|als of|as if|zoals|"
    r"zoiets als|like)\b[^.?!\n]{0,40}\b(pit|fornuis|kookplaat|gas\w*|stove|hob|burner)\b",
    r"\b(eier|eieren|aaier|eggs?)\b[^.?!\n]{0,20}\b(ruik\w*|riek\w*|stink\w*|smell\w*)\b",
    r"\b(rotte|rottige|zoetige) (lucht|geur)\b[^.?!\n]{0,30}"
    r"\b(geiser|fornuis|kookplaat|meter\w*|gas\w*)\b",
    r"\b(hoofdkraan|afsluiter|main tap|shut-?off)\b[^.?!\n]{0,20}\bgas\b[^\n]{0,80}"
    r"\b(ruik\w*|smell\w*)\b",
    r"\b(gas)?slang\w*\b[^.?!\n]{0,40}\b(fornuis|kookplaat|stove|hob)\b[^.?!\n]{0,30}"
    r"\b(gescheurd|lek|kapot|los|cracked|split)\b",
    r"\b(ruik\w*|riek\w*|stink\w*|smell\w*|lucht|geur)\b[^.?!\n]{0,80}\b(zoals|als|like)\b[^.?!\n]{0,25}"
    r"\bgas(stel|fornuis|pit\w*|kookplaat|stove|cooker|hob)\b",
    # Gas is given the smell of sulphur or rotten eggs: "zwavelachtig", "rotte-eierlucht".
    r"\brotte[ -]?eier\w*|\brotten[ -]eggs?\b|\bzwavel\w*|\bsul(ph|f)ur\w*",
    # Sets 14 and 15: a smell or a blowing, hissing sound where the ground was dug or hit; a
    # gas detector's LEL reading; the odorant named; a smell like an open cooker.
    r"\b(gegraven|graaf\w*|opengebroken|digging|dug|drove a stake)\b[^\n]{0,150}"
    r"\b(lucht|geur|ruik\w*|"
    r"stank|smell\w*|blazend|geblaas|sis\w*|whoosh\w*|hiss\w*)\b",
    r"\b(sis\w*|blaz\w*|whoosh\w*|hiss\w*)\b[^.?!\n]{0,30}\b(uit de grond|under the pavement)\b",
    r"\b\d+ ?% ?lel\b|\bmercaptan\w*|\brott\w* (knoflook|kool|garlic|cabbage)\b|"
    r"\bknoflook\b[^.?!\n]{0,30}\brott\w*",
    r"\b(lucht|lugt|geur|stank|smell\w*)\b[^.?!\n]{0,20}\b(van|of) (een|het|de|a|the) (kookplaat|"
    r"fornuis|gasfornuis|pit|cooker|stove|hob)\b|\b(lucht|lugt|geur)\b[^\n]{0,80}\bss\b",
    r"\b(stank|stink\w*)\b[^.?!\n]{0,30}\b(aansteker|lighter)\b|\balles uit staat\b[^.?!\n]{0,30}"
    r"\b(lucht|geur|stank|ruik\w*)\b|\b(hiss\w*|sis\w*)\b[^.?!\n]{0,100}\b(reek\w*|stink\w*|smell\w*|"
    r"ruik\w*|stank|lucht)\b|\bsmell\w* like when you (forget|leave|turn on) the (cooker|stove|hob|"
    r"gas)\b|\beggy (smell|odou?r|whiff)\b",
    r"\b(gezer|geizer)\b[^\n]{0,60}\b(lucht|lugt|geur|ruik\w*)",
)
_CO_DEVICE = (
    r"((koolmonox[iy]de|koolstofmonox[iy]de|kolendamp|carbon monoxide)[- ]?(meld\w*|alarm|meter|"
    r"detector|monitor)?|"
    r"(co2?|ko)[- ]?(meld\w*|alarm|meter|detector|monitor))"
)
_ALARM = (
    r"((gaat|ging|gingen|is)( \w+){0,2} af|afgegaan|piep\w*|loeit|alarm\w*|going off|went off|"
    r"gone off|"
    r"goes off|beep\w*|biep\w*|sounding|screaming|screeching|started|🚨)"
)
_SYMPTOMS = (
    r"(hoofdpijn|koppijn|duizelig|draaierig|misselijk|suf|sloom|slaperig|overgeven|braken|"
    r"flauw\w*|zware ogen|niet wakker|verward|half (te )?slap\w*|(bijna )?niet (meer )?praten|"
    r"in de war|sleepy|confused|muddled|slurred|won'?t wake|hard to wake|floppy|feels? sick|"
    r"raar in (mijn|m'n|ons|z'n|haar) hoofd|headache\w*|dizzy|drowsy|nause\w*|faint\w*|vomit\w*|"
    r"throwing up|duf|licht in (mijn|m'n|zijn|z'n|haar) hoofd|hoofd draait|griepachtig|flu|"
    r"overgegeven|overgeeft|buikpijn|sterretjes|wazig|hart (bonst|bonzen|klopt snel)|woozy|blurry|"
    r"(head|eyes) feel heavy|drukkend hoofd|prikt (mijn|m'n|onze) keel|🤢|🤮|😵)"
)
# What burns gas or wood in a home, where carbon monoxide comes from.
_CO_SOURCE = (
    r"(geiser|geyser|boiler|\w*ketel|cv|cv-ketel|\w*kachel|\w*heater|gas fire|fire ?place|\w*haard)"
    r"\b"
)
_GAS_HEATER = (
    r"(geiser|geyser|water heater|gaskachel|gas fire|gas heater|houtkachel|petroleum\w*|paraffin|"
    r"kerosene|cv-ketel|kachelpijp|open haard|back boiler|\w*terrasverwarmer|terrasheater|"
    r"(old|oude|new|nieuwe) (boiler|ketel)|afvoerpijp|rookgasafvoer|flue|(?<!elektrische )kachel|"
    r"(?<!electric )heater|ketel|aggregaat|generator|(wood|log|multi-?fuel) ?burner|"
    r"wood ?stove)\w*\b"
)
_COLOURED_FLAME = (
    rf"(\b(gele|oranje|geel|yellow|orange)\b[^.?!\n]{{0,30}}\bvlam\w*|\bvlam\w*\b{_CLOSE}\b(geel|"
    r"oranje|yellow|orange)\b|\b(yellow|orange) flames?|"
    r"\bflames?\b[^.?!\n]{0,40}\b(yellow|orange)\b)"
)
_FLAME_AT = (
    r"(geiser|geyser|\w*ketel|\w*kachel\w*|\w*kaggel\w*|fornuis|kookplaat|\w*pit\w*|\w*haard|"
    r"boiler|heater|stove|hob|cooker|burner|pilot|gas\w*|fire ?place)"
)
_CO = alternation(
    r"\b(koolmonox[iy]de|koolstofmonox[iy]de|kolendamp)\b(?![- ]?(melder|alarm|meter|detector))",
    r"\bcarbon monoxide\b(?! (alarm|detector|monitor|meter)s?\b)",
    rf"\b{_CO_DEVICE}\w*\b{_FAR}\b{_ALARM}\b",
    rf"\b{_ALARM}\b{_FAR}\b(koolmonoxide|koolstofmonoxide|kolendamp|carbon monoxide|"
    r"co[- ]?(melder|alarm))",
    rf"\b{_CO_DEVICE}\w*\b[^\n]{{0,120}}\b{_SYMPTOMS}\b",
    rf"\b(slaat|sloeg)\b{_CLOSE}\b{_CO_DEVICE}\w*\b[^.?!\n]{{0,5}}\baan\b|"
    rf"\b{_CO_DEVICE}\w*\b{_NEAR}\b(slaat|sloeg)\b[^.?!\n]{{0,25}}\baan\b",
    rf"\b{_CO_SOURCE}[^\n]{{0,80}}\b(uitlaatgas\w*|exhaust (fumes|gas|smell))|"
    rf"\b(uitlaatgas\w*|exhaust (fumes|gas|smell))\b[^\n]{{0,80}}\b{_CO_SOURCE}",
    rf"\bco\b{_FAR}\b(ppm|piep\w*|alarm|beep\w*|gaat af|goes off|going off|went off)\b|\b\d+ ppm\b",
    rf"\b(alarm|piept|beep\w*)\b{_CLOSE}\bco\b|\b(melder|piep|biep|beep)\w*\b{_FAR}\bco\b",
    # The classic sign: it gets better outside or away from home.
    rf"\b{_SYMPTOMS}\b[^\n]{{0,80}}\b(gaat weg|wordt (het )?beter|beter|minder|verdwijnt|goes away|"
    r"better|gone)\b[^\n]{0,40}\b(buiten|naar buiten|weg ben|op (mijn|m'n) werk|outside|at work|"
    r"leave the house)",
    rf"\b{_SYMPTOMS}\b[^\n]{{0,80}}\b(buiten|outside|op (mijn|m'n) werk|at work)\b[^\n]{{0,30}}"
    r"\b(beter|better|weg|gone)\b",
    # A geyser or gas heater is the usual source: symptoms and one in a message, sentences apart.
    # (Also across the lines of a list: "- keukentje met oude geiser\n- ineens verward".)
    rf"\b{_SYMPTOMS}\b[\s\S]{{0,250}}\b{_GAS_HEATER}|\b{_GAS_HEATER}[\s\S]{{0,250}}\b{_SYMPTOMS}\b",
    r"\b(black (marks|streaks)|zwarte (vlekken|plekken|randen|strepen))\b[^.?!\n]{0,20}"
    r"\b(around|rond|boven|erboven|above)\b",
    # An alarm going off while people feel ill: whichever alarm, carbon monoxide is the danger.
    rf"\b(melder|alarm|piep\w*|kastje)\w*\b[^\n]{{0,80}}\b{_ALARM}\b[^\n]{{0,150}}\b{_SYMPTOMS}\b",
    rf"\b{_SYMPTOMS}\b[^\n]{{0,250}}\b(roet|soot)\b|\b(roet|soot)\b[^\n]{{0,250}}\b{_SYMPTOMS}\b",
    # An alarm at the boiler, a display whose number rises, "CO" on its screen.
    rf"\b(melder|alarm|apparaatje|kastje|detector)\w*\b[^.?!\n]{{0,30}}\b(bij|naast|boven|near|by|"
    rf"next to) (de|het|the) (cv-?ketel|ketel|geiser|boiler|kachel|heater)\b[^.?!\n]{{0,40}}"
    rf"\b{_ALARM}",
    r"\b(schermpje|scherm|display|screen)\b[^.?!\n]{0,40}\b(getal|number|ppm)\b[^.?!\n]{0,30}"
    r"\b(hoger|stijgt|omhoog|rising|going up|higher|(van |of )?\d{2,3})\b",
    r"\b(laat|toont|shows?|says?)\b\W{1,3}co\b",
    # A yellow or orange flame, or soot, at a gas appliance (orange flames under a bin's lid are
    # a fire).
    rf"\b{_FLAME_AT}\b[^.?!\n]{{0,60}}{_COLOURED_FLAME}|{_COLOURED_FLAME}[^.?!\n]{{0,60}}\b{_FLAME_AT}\b",
    rf"\b{_SYMPTOMS}\b[^\n]{{0,40}}\b(until|tot) (we|i|ik|wij|je) (go|gaan|ga) "
    r"(outside|naar buiten)",
    r"\brook slaat (terug|naar binnen)\b|\bsmoke (blows|comes|coming) back (in|into)\b",
    r"\b(co|koolmonoxide)[- ]?melder\w*[^\n]{0,20}(🚨|🤢|😵|🤮)",
    r"\b(co|koolmonoxide|koolstofmonoxide)[- ]?melder\w*( \w+){0,4} af\b",
    r"\b(flue|afvoerpijp|rookgasafvoer)\b[^.?!\n]{0,30}\b(come apart|came apart|disconnected|"
    r"losgeschoten|losgeraakt)\b",
    rf"\b(roet\w*|soot\w*)\b{_NEAR}\b(geiser|geyser|ketel|kachel|haard|boiler|heater)",
    rf"\b(geiser|geyser|ketel|kachel|haard|boiler|heater)\b{_NEAR}\b(roet\w*|soot\w*)",
    rf"\b{_CO_SOURCE}[^.?!\n]{{0,80}}\b{_SYMPTOMS}\b",
    rf"\b{_SYMPTOMS}\b[^.?!\n]{{0,80}}\b({_CO_SOURCE}|melder|alarm)\b",
    # Sets 14 and 15: a heater without a flue, a chimney closed off.
    r"\b(kachel|geiser|heater|aggregaat|generator)\b[^.?!\n]{0,20}\bzonder afvoer\b",
    r"\b(schoorsteen|rookkanaal|rookgasafvoer|flue|chimney)\b[^.?!\n]{0,30}\b(afgesloten|dichtgemaakt|"
    r"dichtgeplakt|verstopt|blocked|covered|sealed)\b",
)
_FIRE = alternation(
    r"\b(?<!inbox )(?<!mailbox )(er is|staat in|in|op) brand\b|^brand\b|\bbrand!|\bbrand brand\b",
    r"\bbrand\b (in|bij|op) (de|het|mijn|ons|onze|een)\b",
    r"\b(keuken|schoorsteen|woning|auto|container|schuur)brand\b|\bbrandje\b",
    r"\bvlam(men|me|metjes?)?\b|\bvlam ?gevat\b|\bvuur(tje)?\b(?!werk)|\bbrent\b",
    r"\b(vol|veel|dikke|zwarte|witte|grijze) rouk\b|\b(oranje|rode|fel) schijnsel\b",
    r"\brook\b[^.?!\n]{0,20}\blangs (de|het)\b",
    r"\bsmoke (in|at|on|along) (the|our|my) (corridor|hallway|hall|stairwell|stairs|landing|"
    r"ceiling)\b",
    r"\bfire\b[^.?!\n]{0,20}\b(go(es)? up|going up|spread\w*|reach\w*)\b",
    r"\b(gaan|is gaan|staat te|begon te|beginnen te) branden\b|\bin brand gevlogen\b",
    r"\bin de fik\b|\bfikkie\b|\blichterlaaie\b|\bin de hens\b|\bvlamt\b",
    r"\b(chimney|schoorsteen)\b[^.?!\n]{0,60}\b(sparks|vonken|roaring|raast|bulder\w*)\b",
    r"\b(er )?brandt iets\b|\biets (staat te branden|brandt)\b|\b(oranje|rode|felle) gloed\b",
    r"\bgloei\w*\b(?! heet)|\bglowing\b",
    r"\b(er is|er hangt|overal) (veel |dikke |zwarte )?rook\b",
    r"\brook (komt|kwam)\b[^.?!\n]{0,30}\b(tussen|onder|door)\b",
    r"\b(gordijn\w*|bank|bed|matras|kerstboom|curtains?|sofa|couch|mattress)\b[^.?!\n]{0,20}"
    r"\b(branden|brandt|vat vlam|in brand|on fire|burning|caught)\b",
    r"\b(ruik|ruikt|rook)\b[^.?!\n]{0,20}\b\w*vuur\b|\bstill smoking\b|\bsmoking (loads|a lot)\b",
    r"\b(pan|chip pan|frying pan|pot)\b[^.?!\n]{0,20}\bwent up\b",
    r"\b(balk|hout|beam|timber)\w*\b[^.?!\n]{0,30}\b(heet|hot)\b[^.?!\n]{0,10}\b(zwart|black\w*)\b",
    r"\b(balk|beam|timber)\w*\b[^.?!\n]{0,40}\b(warm|heet|hot)\b[^.?!\n]{0,30}\b(dampt|rookt|smok\w*|"
    r"steam\w*)\b",
    r"\b(ruik\w*|riek\w*|smell\w*)\b[^.?!\n]{0,20}\b(kampvuur|campfire|bonfire)\b",
    rf"\brook\b{_CLOSE}\b(naar boven|omhoog|in (de|het|onze|mijn) (gang|hal|trappenhuis|kamer))\b",
    r"\bsmeult\b|\bsmeulen\w*|\brookontwikkeling\b",
    r"\b(vol|veel|dikke|zwarte|witte|grijze) rook\b|\brookwolk\w*",
    rf"\brook\b{_CLOSE}\b(overal|onder)\b",
    rf"\b(zie|zien|ziet|zag|zagen)\b{_CLOSE}\brook\b",
    r"\b(begon|begint|beginnen|staat|stond) te roken\b",
    r"\b(rookmelder|brandalarm|brandmelder)\w* (gaat|gingen|ging|gaan|is) (af|afgegaan)\b",
    r"\b(rookmelder|brandalarm|brandmelder)\w* af\b",
    r"\b(rookmelder|brandalarm|brandmelder)\w*\b[^.?!\n]{0,30}\b(gaat|ging|gingen|gaan) af\b",
    r"\bbrandweer\b(?! ?(inspectie|keuring|controle|voorschrift\w*|eisen))",
    r"\b(caught|catches|catching|on) fire\b|\bset alight\b|\bablaze\b",
    # "Added fuel to the fire" is a quarrel.
    r"\b(?<!fuel to )(?<!oil on )(a|the|there'?s a) fire\b"
    r"(?! (door|exit|escape|extinguisher|safety|inspection|drill|blanket|hose|regulation\w*|warden|"
    r"training|course|"
    r"alarm test|"
    r"risk assessment|place))",
    r"\bfire (in|at|on) (the|my|our|a)\b|\bfire brigade\b|\bfire (department|service)\b",
    r"\bflames?\b(?! (looks?|is|burns) (nice and |nicely |a nice )?blue)|\bsmoulder\w*|"
    r"\bsmolder\w*",
    rf"\bsmoke\b(?! ?(free|detectors?|alarms?))"
    rf"{_CLOSE}\b(pouring|everywhere|billowing|filling)\b",
    r"\b(full of|filled with|thick|black|white|lots of) smoke\b|\bsmoky\b",
    r"\b(pouring|billowing) (out )?smoke\b",
    r"\bnagloei\w*|\bblijft\b[^.?!\n]{0,25}\b(roken|smeulen)\b",
    r"\b(accu|batterij|battery)\b[^\n]{0,80}\b(opgezwollen|swollen|damp|vapou?r|knettert|sist)\b",
    r"\bopgezwollen\b[^.?!\n]{0,40}\b(damp|rook|knettert|sist)\b|\b(witte|white) (damp|vapou?r)\b",
    r"\b(smoke|fire) alarms? (is |are |keeps? )?(going off|went off|goes off|sounding)\b",
    # Sets 14 and 15: a haze with alarms sounding, a hot door, smoke coming in under a door.
    r"\b(nevel|waas|haze|mistig|rokerig)\b[^\n]{0,80}\b(melder|alarm)\w*|"
    r"\bdeur\b[^.?!\n]{0,30}\b(voelt|is) heet\b|"
    r"\bdoor\b[^.?!\n]{0,20}\b(feels|is) hot\b|\bwat er (brandt|in brand staat)\b|"
    r"\b(onder|door|langs) de deur\b[^.?!\n]{0,20}\brook\b",
)
# A burning smell alone: fire, unless a socket or wire shows where it comes from (then the
# electrical instruction fits: do not touch, switch off the main switch).
_SMOULDER = alternation(
    r"\b(brand|schroei|verbrande?|rook)(lucht|geur)\b|\bbrandende lucht\b|\bruikt verbrand\b",
    r"\bverbrand\w* (kabel|plastic|rubber)\b|\bruik\w* (brand|iets schroei\w*|geschroeid)\b|"
    r"\bschroeierig\w*",
    r"\b(zwarte|blauwe|dikke|grijze) walm\b|\bwalm\w* (uit|onder)\b",
    r"\buit (de|het)\b[^.?!\n]{0,60}\b(komt|kwam)\b[^.?!\n]{0,40}\brook\b",
    r"\b(grijze|witte|blauwe) waas\b|\bhaze\b",
    r"\bruik\w*\b[^.?!\n]{0,30}\bnaar (brand|rook|verbrand\w*)\b",
    r"\b(?<!no )burning\b(?! question)|\bburnt smell\b|\bsmell\w* (of |like )?burnt?\b|"
    r"\btoo hot to touch\b",
    r"\bbrandend\w* (plastic|rubber|hout)\b|"
    r"\bstink\w*\b[^.?!\n]{0,10}\b(naar|nao|noar) (verbrand|brand)",
    rf"\brook\b{_CLOSE}\buit\b",
    r"\brookt\b(?! (op|in|bij|veel|de hele|elke|een))",
    rf"\bsmoke\b(?! ?(free|detectors?|alarms?)){_CLOSE}\b(coming|from|out)\b",
    rf"\b(accu|batterij|oplader|laptop|telefoon|droger|wasdroger|wasmachine|tv|koelkast|lamp|"
    rf"oven|magnetron|broodrooster|battery|charger|phone|dryer|washing machine|fridge|toaster|"
    rf"microwave|e-?bike|scooter)\w*\b{_NEAR}\b(rookt|roken|smeult|smok\w*|popping)\b",
    r"\b(see|saw|seeing|can see)\b[^.?!\n]{0,20}\b(smoke|haze)\b",
)
_FUSE_BOX = (
    r"meterkast|groepenkast|zekeringkast|stoppenkast|verdeelkast|elektriciteitskast|elektrakast"
)
_ELECTRICAL = alternation(
    # "Geen vonken, geen geur": sparks denied are none.
    r"\b(kraan|aanraak\w*|douche\w*)\b[^.?!\n]{0,40}\b(tinteling|tintelt|stroompje)\b|"
    r"\bmeter\b[^.?!\n]{0,40}\b(zoem\w*|brom\w*|wordt heet|is heet|knetter\w*)\b|"
    r"\b(fuse ?box|meter ?box)\b[^\n]{0,80}\b(hot to the touch|buzz\w*)|"
    r"\b(?<!geen )vonk\w*|\b(?<!no )spark\w*(?! (really |definitely )?flew)|\barcing\b|"
    r"\b(stopcontact|stekker\w*|kabel)\b"
    r"[^.?!\n]{0,20}\bsprankel\w*",
    r"\bkortsluiting\b|\bshort[- ]circuit\w*",
    rf"\bschok(je)?\b{_NEAR}\b(aanraak|aanraken|aanraakt|stopcontact|schakelaar|elektr|kraan|snoer)\w*",
    rf"\b(aanraak|aanraken|aanraakt|stopcontact|schakelaar|kraan|\w*knop\w*)\w*\b{_NEAR}\bschok(je)?\b",
    r"\b(geknetter|knetter\w*|gezoem|zoem\w*)\b[^.?!\n]{0,20}\b(in|achter|uit) de (muur|wand)\b",
    r"\b(plastic|cover|afdekplaat\w*)\b[^.?!\n]{0,20}\b(brown|bruin|melted|gesmolten|scorched)\b",
    r"\b(elektrische|stroom)\s?schok\b|\bstaat onder stroom\b|\bonder spanning\b",
    r"\belectric(al)? shock\b|\b(got|get|getting|gave me) (a |an )?(electric )?shock from\b",
    r"\bshock (from|when (i|we) touch\w*)\b|\belectrocut\w*",
    r"\b(live|exposed|bare|naked) wires?\b|\bwires? (hanging|exposed|sparking)\b",
    r"\b(losse|blote|bloot\w*|kale) (draden|draadjes|kabels|bedrading|uiteinden)\b",
    r"\bdra(a)?d(en|jes)?\b[^.?!\n]{0,30}"
    r"\b((steken|steekt|hangen|hangt) eruit|uit (de|het) (muur|plafond))\b",
    r"\b(draad|draden|draadjes|stopcontact|kabel)\w*\b[^\n]{0,120}\b(kreeg|kregen|krijgt)\b[^.?!\n]{0,15}"
    r"\b(tik|schok|opdonder|stroomstoot)\b",
    r"\b(tester|spanningzoeker|spanningszoeker)\b[^.?!\n]{0,30}\blicht\w* op\b|"
    r"\b(staat|zit) (gewoon |nog )?(spanning|stroom) op\b",
    rf"\b({_FUSE_BOX})\b[^\n]{{0,120}}\b(zoem\w*|brom\w*|knetter\w*|sputter\w*)\b",
    rf"\b(stopcontact|{_FUSE_BOX}|stekker|\w*snoer|\w*kabel|lichtknop|\w*schakelaar|\w*lamp|"
    rf"inbouwdoos|afdekplaat|(wand)?contact ?doos|lasdoos|dimmer|omvormer|inverter)\w*\b"
    r"[^.?!\n]{0,60}"
    r"\b(rookt|smelt\w*|\w*gesmolten|geblakerd|zwartgeblakerd|verschroeid|verkleurd|vervormd|brandt|"
    r"knetter\w*|vonkt|heet|warm|sputter\w*|zwart uitgeslagen|knapte|knal|gezoem|zoem\w*|brom\w*|"
    r"flitst|flits)\b",
    r"\b(je ziet het koper|koper (is )?zichtbaar|bare copper|copper (is )?(showing|visible))\b",
    r"\bstop[ck]ontakt\w*\b[^.?!\n]{0,40}\b(gesmolten|zoemt)\b",
    r"\b(kaobel|kabel|snoer)\b[^.?!\n]{0,40}\b(heet|gloeiend)\b",
    r"\b(cable|wire|snoer|kabel)\w*\b[^.?!\n]{0,60}\b(worn through|doorgesleten)\b",
    r"\b(stopcontact|wandcontactdoos|schakelaar|lichtknop|inbouwdoos)\w*\b[^.?!\n]{0,20}\buit de "
    r"(muur|wand)\b[^\n]{0,60}\b(draden|bedrading|koper)\b",
    rf"\brook\b[^.?!\n]{{0,30}}\b(uit|bij|van) (het|de) "
    rf"(stopcontact|stekker|{_FUSE_BOX}|\w*schakelaar)",
    r"\bdraden (zijn |liggen |hangen )?(buiten|bloot)\b",
    r"\b\w*draa?d\w* (ligt|liggen|is|zijn) bloot\b",
    r"\bgesmolten\b[^\n]{0,80}\bstopcontact|\bstopcontact\b[^\n]{0,80}\bgesmolten\b",
    rf"\b(stopcontact|stekker|{_FUSE_BOX}|\w*schakelaar)\w*\b[^.?!\n]{{0,30}}\b(is |zijn )?zwart\b",
    rf"\b(knapte|knal|geknapt)\b{_NEAR}\b(meterkast|groepenkast|zekeringkast|stoppenkast|stopcontact)",
    rf"\b(knetter\w*|sputter\w*)\b{_NEAR}\b(meterkast|groepenkast|zekeringkast|stoppenkast|"
    r"stopcontact|kabel|draad|draden)\w*",
    rf"\b(stroom)?(kabel|kabels|draad|draden|bedrading|elektriciteitskabel)\b{_NEAR}"
    r"\b(bloot|los|losgeraakt|naar beneden|hangen|hangt|zichtbaar|sputter\w*|op straat|eruit|"
    r"knettert|op de stoep|op het voetpad|in een plas|in het water)\b",
    rf"\b(bloot|losgeraakte|losse)\b{_CLOSE}\b(stroom)?(kabel|kabels|draad|draden)\b",
    r"\bverbrande? (kabel|kabels|draad|draden|bedrading)\b|\bburnt (wire|wiring|cable)s?\b",
    rf"\bzwart\w*\b{_NEAR}\b(uit|bij|rond|om|achter) (het|de) (stopcontact|stekker|{_FUSE_BOX})",
    rf"\b(socket|plug|fuse ?box|wire|wiring|outlet|(light )?switch(es)?|meter (cupboard|box)|"
    rf"(ceiling|kitchen) light|light fitting|"
    rf"electricity meter|extension (lead|cord)|plug pins|lead|cable|junction box)s?\b{_NEAR}"
    r"\b(smok\w*|melt\w*|melted|scorch\w*|blackened|crackl\w*|buzz\w*|hot|warm|discolou?red|"
    r"burnt|flash\w*|pop\w*|fizz\w*|humm\w*|brown (mark|burn)\w*|gone black)\b",
    # Sets 14 and 15.
    r"\b(zie|ziet|zag|see)\b[^.?!\n]{0,10}\b(het |de )?koper\w*|\bblauwe flits\b|\bb?zz\b|"
    r"\bgives? (me |you )?(a |an )?(small |little |slight |mild )?(electric )?(shock|tingle)\b|"
    r"\bgot zapped\b|\b(kacheltje|elektrische kachel)\w*\b[^.?!\n]{0,40}\b(knettert|vonkt|flitst|"
    r"smelt\w*|rookt)\b|"
    r"\b(\w*knop\w*|\w*schakelaar|stopcontact)\b[^.?!\n]{0,40}\bprikt\b|"
    r"\b(knetter\w*|vonk\w*|sist|zoem\w*|flits\w*)\b[^.?!\n]{0,30}\b(\w*schakelaar|stopcontact|"
    r"meterkast|groepenkast|stekker)\b|\b(voel|voelde|krijg|kreeg|geeft|gaf)\b[^.?!\n]{0,15}"
    r"\b(een )?(prik|prikje|schokje|stroomstoot)\b|\b(like|als) (bees|bijen)\b|"
    r"\b(gave me|got|get|getting) (a |an |quite a )?(jolt|zap)\b|"
    r"\b(socket|plug|outlet|switch|stopcontact)\b[^\n]{0,100}"
    r"\b(scorch\w*|buzz\w*|buzing|brown marks?)\b",
)
_WATER = alternation(
    rf"\bwater\b{_NEAR}\b(lamp|stopcontact|meterkast|groepenkast|stoppenkast|bedrading|elektra)\w*",
    rf"\bwater\b{_NEAR}\b(light fitting|ceiling light|socket|fuse ?box|wiring|electrics|"
    r"outlet)s?\b",
    rf"\b(water|rain)\b{_CLOSE}\b(pour|pours|poured|pouring|streams|streaming)\b",
    r"\bwater everywhere\b|\boveral water\b",
    rf"\bwater\b{_CLOSE}\bdoor (de|het) (lichtkoepel|dakraam|plafond|lamp)\b",
    rf"\bwater\b{_FAR}\b(zakt door|door de vloer)\b",
    r"\b(halve )?meter water\b|\bcentimeters? water\b",
    rf"\bwater\b{_NEAR}\b(omhoog|loopt over|overloopt|stijgt|blijft stijgen)\b",
    rf"\b(bad|toilet|wc|douche|badkamer|wasbak|gootsteen|afvoer)\b{_NEAR}\b(loopt over|liep over|"
    r"overgelopen|overlopen|loopt\b[^.?!\n]{0,20}\bover)\b",
    r"\blek\w* (door|uit) (ons|het|mijn|de) plafond\b|\b(met|mee) bakken\b",
    r"\blek\w*\b[^.?!\n]{0,10}\b(door|deur|uit)\b[^.?!\n]{0,6}\bpla[fv]ond\b",
    r"\b(staat|stait|steit|staan)\b[^.?!\n]{0,25}\bblank\b|"
    r"\b(\d+ ?cm|centimet\w*|inches?) (deep|diep)\b",
    rf"\bwater\b{_NEAR}\b(door|uit|langs|van) (\S+ )?(pla[fv]ond|lamp|muur|dak)\b",
    rf"\b(komt|komen|kump|druppelt|druipt|drupt|stroomt|loopt|regent|lekt|gutst|zeikt|pist|plenst|"
    rf"spuit)\b"
    rf"{_CLOSE}"
    r"\b(uit|oet|door) (\S+ )?\w*pla[fv]ond\w*",
    # Buckets that fill up: "emmers zijn binnen een minuut vol", "emmer is al vol".
    r"\bemmers?\b (zijn|is|staan|staat)\b[^.?!\n]{0,25}\bvol\b",
    r"\b(hoor|horen|hoort|hoorde|hear|heard)\b[^.?!\n]{0,25}\bwater\b[^.?!\n]{0,15}"
    r"\b(lopen|stromen|kletteren|ruisen|ruist|running|rushing|pouring)\b",
    # A leak from a ceiling that speeds up (a tap that drips harder is no danger).
    r"\b(pla[fv]ond\w*|ceiling)\b[^.?!\n]{0,60}\b(steeds (sneller|harder|meer)|faster|harder)\b",
    r"\b(druppel\w*|drip\w*|leak\w*|lek\w*)\b[^.?!\n]{0,40}\b(pla[fv]ond\w*|ceiling)\b"
    r"[^.?!\n]{0,40}\b(faster|harder|steeds (sneller|harder|meer))\b",
    r"\bdruppelt\b[^.?!\n]{0,30}\bemmer\b[^.?!\n]{0,30}\bsteeds (sneller|harder|meer)\b",
    r"\buit (de|het) pla[fv]ond\w*\b[^.?!\n]{0,60}\b(loopt|stroomt|komt|druppelt|lekt)\b"
    r"[^.?!\n]{0,30}\bwater\b",
    r"\bwater\b[^.?!\n]{0,20}\b(not stop|doesn'?t stop|keeps? (running|coming))\b|"
    r"\bwater\b[^.?!\n]{0,60}\bdown the stairs\b",
    r"\bpuddle\b[^.?!\n]{0,30}\b(running|spreading|growing)\b|\brunning under the door\b|"
    r"\b(dripping|leaking) (really |very )?fast\b|\bplas van (een paar|enkele|\d+) meter\b|"
    r"\bwater\b[^.?!\n]{0,60}\b(now reaching|spreading (to|into))\b",
    r"\b(veel|heel veel|zoveel) water\b[^.?!\n]{0,20}\b(in|op) de "
    r"(galerij|gang|portiek|trap|hal)\b",
    r"💧[^\n]{0,20}\bpla[fv]ond|\bpla[fv]ond\b[^\n]{0,20}💧|\bemmers? vol\b",
    r"\b\w*kraan\w*\b[^.?!\n]{0,20}\b(zit vast|vastgeroest|klemt|gaat niet dicht)\b",
    r"\bblijft (maar )?(spuiten|stromen|lopen)\b|\bspuit\b[^.?!\n]{0,10}\bstraal\b|"
    r"\blaagje water\b[^.?!\n]{0,10}\b(in (het|de) (hele|gang|kamer|woonkamer|keuken|huis)|"
    r"overal)\b|"
    r"\b(toilet|wc|bath|sink|tub)\b[^.?!\n]{0,10}\b(is )?overflowing\b|"
    r"\bwater (won'?t|will not|doesn'?t) stop\b",
    r"\bstraal water\b|\bwater\b[^.?!\n]{0,20}\b(inbouwspot|spotje)\b",
    rf"\bwaterleiding\w*\b{_NEAR}\bgeraakt\b",
    r"\bhet regent\b[^.?!\n]{0,30}\b(binnen|in (de|onze|mijn|het) (keuken|kamer|huis|woonkamer|"
    r"slaapkamer|badkamer|gang|hal|trappenhuis|portiek|lift|berging|kelder))\b",
    r"\b(loopt|liep|lopen) onder\b|\bondergelopen\b|\blike a (swimming pool|lake|river)\b",
    r"\bwater\b[^.?!\n]{0,60}\b(steeds meer|more and more|blijft stijgen|keeps rising|rising)\b",
    r"\bgutst\b|\bgushing\b|\bspraying everywhere\b|\bspuit overal\b|"
    r"\b(can'?t|cannot|can not) find the (stop ?cock|main (valve|tap|water)|water valve)\b|"
    r"\bhoofdkraan niet (vinden|dicht)\b",
    r"\bwater\b[^.?!\n]{0,30}\btot (aan )?(de|haar|zijn|mijn|m'n|onze) (enkels|knie\w*|kuiten)\b|"
    r"\b(ankle|knee)[- ]deep\b|\b(coming|comes|came) a lot of water\b|"
    r"\ba lot of water\b[^.?!\n]{0,20}\b(coming|pouring)\b",
    r"\blek\w*\b[^.?!\n]{0,30}\b(houdt niet op|stopt niet|blijft komen|heel hard|zo hard)\b",
    r"\b\w*water\b[^.?!\n]{0,20}\bonder (de|mijn|onze|haar|zijn) (voor)?deur (door|uit)\b",
    r"\b(komt|loopt|stroomt)\b[^.?!\n]{0,20}\bonder (de|mijn|onze) (voor)?deur door\b",
    r"\b(staat|stond)\b[^.?!\n]{0,20}\b(centimeter|cm)\w*\b[^.?!\n]{0,20}"
    r"\bin (de|het|onze|mijn)\b",
    r"\b(loopt|stroomt|druppelt)\b[^.?!\n]{0,15}\blangs de (binnen)?muur\b[^.?!\n]{0,20}"
    r"\bnaar beneden\b",
    r"\bwater\b[^.?!\n]{0,20}\b\w*(raam|kamer) (binnen|in)\b",
    r"\b(komt|kwam|komen|loopt|stroomt|sijpelt)\b[^.?!\n]{0,15}\bwater\b[^.?!\n]{0,20}"
    r"\bonder (de|het) (muur|wand|plint\w*|deur|vloer)\b",
    r"\bwater\b[^.?!\n]{0,30}\b(langs|over|van|via) de trap\b[^.?!\n]{0,20}\bnaar beneden\b",
    r"\bwater (is |was )?(coming|came|comes) up (through|out of|from)\b",
    r"\bwater (blijft|keeps?)\b[^.?!\n]{0,25}\b(komen|lopen|coming|running)\b|\bloopt vol\b",
    r"\bwater (al )?tot (de|aan)\b",
    r"\bwater\b[^.?!\n]{0,40}\b(tot|boven) (boven )?(de|mijn|onze) (enkels|knieen)\b",
    r"\b\d+ ?cm water\b",
    r"\bstraal\w*\b[^.?!\n]{0,20}\buit (de|het) (lamp|plafond)\b|\bgeklater\b",
    r"\b(basement|cellar|kelder|souterrain)\b[^.?!\n]{0,30}\b(full (of|with) water|"
    r"vol (met )?water)\b",
    r"\b(drip\w*|trickl\w*|leak\w*|water)\b[^.?!\n]{0,30}\b(ceiling light|light fitting)\b",
    rf"\b\w*slang\b{_NEAR}\b(losgeschoten|losgeraakt|gesprongen|geknapt|eraf geschoten|"
    r"afgeschoten)\b",
    rf"\bpla[fv]ond\b{_NEAR}\b(lekt|lekken|druppelt|druipt|water|stort|komt naar beneden|gutst|"
    r"stroomt)\b",
    r"\bonder water\b|\bstaat blank\b|\boverstroom\w*|\bwateroverlast\b",
    rf"\b(stroomt|gutst|spuit|spuiten|klotst|stort)\b{_CLOSE}\bwater\b",
    rf"\bwater\b{_CLOSE}\b(stroomt|gutst|spuit|spuiten|klotst|stort|blijft komen|staat \d+|"
    r"staat centimeters|tot aan)\b",
    rf"\b(leiding|waterleiding|buis|pijp)\w*\b{_NEAR}\b(gesprongen|geknapt|gebarsten|kapot|"
    r"gebroken|lek)\b",
    rf"\bpipes?\b{_NEAR}\b(broke|broken|burst|cracked|split)\b",
    rf"\bwater\b{_NEAR}\b(running|pouring|coming|flowing) (out|down|through|into|under|from)\b",
    r"\b(gesprongen|geknapte|gebarsten) (leiding|waterleiding|buis|pijp)\w*",
    r"\b(hoofdkraan|kraan|water)\b[^.?!\n]{0,30}\b(niet|krijg\w*) (meer )?dicht\b",
    rf"\b\w*water\b{_NEAR}\b(zakt door|door de vloer|naar binnen|trappenhuis in|de straat op|"
    r"\w*woning in|huis in|\w*kamer in|kelder in|kruipruimte in|gang in)\b",
    rf"\b(spuit|spuiten|gutst)\b{_NEAR}\bwater\b",
    r"\b(through|from|out of) the ceiling\b",
    r"\bceiling\b[^.?!\n]{0,30}\b(leak\w*|drip\w*|pour\w*|water)\b",
    r"\bflood(ed|ing|s)?\b(?! (of|with) [^.?!\n]{0,30}\b(e-?mails?|mails|calls|requests|complaints|"
    r"messages|letters|spam|newsletters?)\b)",
    r"\bwater (is |was )?(pouring|gushing|pissing|streaming|spraying|flooding|rushing)\b",
    r"\b(pouring|gushing|streaming|spraying|rushing)\b[^.?!\n]{0,20}\bwater\b",
    r"\bwater (is )?coming (through|down|from|in through) (the )?(ceiling|roof|light|walls?)\b",
    r"\b(burst|broken|split) (water )?(pipe|main)s?\b|\bpipes? (has |have )?(burst|split)\b",
    r"\b(can'?t|cannot|unable to) (stop|turn off|shut off) the water\b",
    r"\b(inches|centimetres|centimeters|ankle[- ]deep|knee[- ]deep) (of )?water\b",
    # Sets 14 and 15.
    r"\bwaterval\b|\bwaterfall\b|\bcascad\w*|\bwater\b[^.?!\n]{0,20}\bde trap af\b|"
    r"\bwater\b[^.?!\n]{0,10}\bshooting\b|\b(ankle|knee)[- ]deep\b|\ban inch of (it|water)\b|"
    r"\b(pipe|leiding)\w*\b[^.?!\n]{0,30}\b(snapped|sheared)\b|"
    r"\b(hele|heel)\b[^.?!\n]{0,20}\b(één|een) grote plas\b|"
    r"\b(boiler|ketel|geiser|tank)\b[^.?!\n]{0,30}\b(opengebarsten|gebarsten|gesprongen)\b",
)
_STRUCTURAL = alternation(
    r"\b(ingestort|instort\w*|stort (in|naar beneden))\b",
    rf"\b(trap|trede|vloer|\w*balkon|galerij|\w*plafond|dak|balk|draagmuur)\w*\b{_NEAR}"
    r"\b(bezwijkt|bezwijken)\b",
    r"\b(\w*hek|balustrade|reling|leuning|\w*railing)\b[^.?!\n]{0,120}\b(losgekomen|losgeraakt|"
    r"hangt (naar buiten|los|scheef)|coming loose|came loose|hanging (out|loose|down)|is loose|"
    r"swinging|meegeeft|geeft mee|beweegt|(zit|zitten) (half )?los)\b",
    r"\b(rusty|rusted|exposed) (metal|steel|rebar|reinforcement)\b|\bchunks missing\b|"
    r"\b(bakstenen|stenen)\b[^.?!\n]{0,30}\b(uit|van) de gevel\b",
    r"\b(?<!almost )(?<!nearly )collaps\w*|\bcaved? in\b|\bcaving in\b",
    # "Water gutst uit de gevel": the facade is where it comes from, not what falls.
    r"\b(?<!uit de )(?<!uit het )"
    rf"(\w*plafond\w*|\w*balkon\w*|galerij\w*|gevel\w*|muur|\w*wand|dak\w*|\w*goot|schoorsteen|schouw|stenen|steen\w*|"
    rf"brokstuk\w*|brok\w*|brokken|stukken|betonrot|beton|luifel)\b{_NEAR}"
    r"\b(naar beneden (gevallen|gekomen|gestort|vallen|valt|komen)|hangt naar beneden|"
    r"(komt|kwam|komen) naar beneden|gevallen|valt|vallen(?! \w+ aan)|viel|vielen|"
    r"afgebroken|losgeraakt|losgekomen|loskomen|los|gewaaid|afgewaaid|waaien|waait|zwaait|eraf|"
    r"op de stoep|scheurt|scheuren|"
    r"op straat|dreigt|"
    r"zakt door|doorgezakt|doorheen gezakt|helt voorover|bol|bolt|bult|sagging|hangt door|"
    r"doorhang\w*|zakt in|"
    r"zakt weg|verzakt)\b",
    rf"\b(kozijn|raam|ruit|glas|vloer|trap|trede)\w*\b{_NEAR}"
    r"\b(naar beneden (vallen|valt|gevallen)|gescheurd|weggezakt|"
    r"hangt (helemaal )?los|eruit gevallen|zakt door|doorheen gezakt|ingezakt|doorgezakt|"
    r"losgekomen|hangt (nog )?(maar )?aan (een|één|1) (kant|scharnier|haak|schroef|draad))\b",
    r"\bhang\w* (on|by) (one|a single|1) (hinge|screw|bolt|bracket)\b",
    r"\bscheur\w* in de (draagmuur|gevel|fundering)\b|\bdraagmuur\b[^.?!\n]{0,80}\bscheur\w*",
    # A crack in a wall, ceiling or facade that grows.
    r"\b(scheur|crack|barst)\w*\b[^.?!\n]{0,50}\b(\w*muur|\w*gevel|walls?|\w*plafond|ceiling|facade|"
    r"fundering|foundation|\w*balkon|balcony)\b[^\n]{0,80}\b(breder|groter|langer|groeit|wider|"
    r"bigger|longer|growing|spreading)\b",
    r"\b(valt|vallen|viel|komt)\b[^.?!\n]{0,15}\b(gruis|pleister\w*|kalk|brok\w*|stenen|stukjes|"
    r"stuc|stee?ntjes)\b",
    r"\b(beton|\w*plafond|\w*gevel|\w*balkon|galerij|\w*muur|trap|trede)\w*\b[^.?!\n]{0,30}"
    r"\b(af)?brokkel\w*|"
    r"\b(af)?brokkel\w*\b[^.?!\n]{0,30}\b(beton|\w*plafond|\w*gevel|\w*balkon|galerij|\w*muur)|"
    r"\b(\w*plafond|\w*balkon|galerij|vloer|trap)\w*\b[^.?!\n]{0,40}\b(zakt|zakken)\b[^.?!\n]{0,20}"
    r"\bdoor\b|\b(\w*plafond|\w*balkon|balk\w*)\b[^.?!\n]{0,30}\bdoorbui\w*|"
    r"\b(brak|breekt) af\b|\bhalf naar beneden\b",
    r"\b(trap|trede\w*|stairs?|staircase|steps?|balkon\w*|balcony)\b[^.?!\n]{0,40}"
    r"\b(beweegt|bewegen|moving|moves|wiebelt|wobbl\w*)\b",
    r"\btegels\b[^.?!\n]{0,20}\b(springen|vallen|knallen)\b",
    r"\blosse stenen\b|\bloose (bricks|stones)\b",
    r"\bzakt\b[^.?!\n]{0,10}\bpla[fv]ond\b[^.?!\n]{0,50}\bdoor\b",
    r"\b(\w*balkon\w*|galerij\w*|schoorsteen|\w*gevel)\b[^.?!\n]{0,20}\b(scheef|sjeef)\b",
    r"\b(dakpan\w*|pannen)\b[^.?!\n]{0,40}\b(hangen los|hangt los|los|naar beneden|schuiven)\b",
    r"\bpla[fv]ond\b[^.?!\n]{0,40}\b(krak|kraakt|groot gat)\b",
    r"\bpla[fv]on[dt]?\b[^.?!\n]{0,40}\bna?o?r bene(d|j)e\b",
    r"\b(ripped|torn|blew|blown)\b[^.?!\n]{0,20}\broof\b|\broof\b[^.?!\n]{0,20}\b(ripped|torn|blown)"
    r" off\b",
    rf"\bdak\w*\b{_NEAR}\b(eraf gewaaid|weggewaaid|uitgewaaid|afgerukt|losgerukt)\b",
    r"\b(scheur\w*|barst\w*|crack\w*)\b[^\n]{0,100}\w*(deur|door)\b[^.?!\n]{0,30}\b(niet (meer )?"
    r"dicht|klemt|won'?t (close|shut)|doesn'?t (close|shut)|sticks?|stuck|jam\w*)",
    rf"\b(chimney|schoorsteen)\b{_NEAR}\b(beweegt|wiebelt|zwiept|moving|moves|wobbl\w*|sway\w*)\b",
    rf"\b(plafond|muur|balk|balkon|ceiling|wall|beam|balcony|stairs?)\b{_NEAR}"
    r"\b(kraakt|kraken|gekraak|knalt|knallen|creak\w*|cracking (sound|noise)s?)\b",
    rf"\b(kraakt|kraken|gekraak|creak\w*)\b{_NEAR}\b(plafond|muur|balk|ceiling|wall|beam)\b",
    rf"\b(vallen|valt|viel|vielen|waaien|waait|woei|woeien)\b{_CLOSE}"
    r"\b(stenen|brokken|brokstukken|stukken|beton|dakpan\w*|pannen van (het|ons|de) dak)\b",
    r"\b(kan|kunnen) elk moment\b[^.?!\n]{0,30}\b(vallen|naar beneden|instorten|bezwijken)\b",
    r"\b(could|might|may) (fall|come down|collapse|give way)\b[^.?!\n]{0,20}"
    r"\bany (moment|minute)\b",
    rf"\b(galerij|balkon|trap)\w*\b{_NEAR}\bgat\b",
    r"\b(\w*galerij|\w*balkon)\w*\b[^.?!\n]{0,60}\b(diepe|grote|brede) scheur\b",
    r"\b(\w*galerij|\w*balkon|vloer|trap)\w*\b[^\n]{0,80}\b(zakt|zakken)\b[^.?!\n]{0,15}\b(weg|in)\b",
    rf"\b(afgebroken|losgeraakt|losgekomen)\b{_NEAR}\b(schoorsteen|gevel|balkon|dak\w*|plafond)",
    r"\b(net viel|viel net|valt|vallen)\b[^.?!\n]{0,20}\bstuk\w*\b[^.?!\n]{0,15}\b(van|uit) "
    r"(het|de) \w*(muur|plafond|gevel)\b|"
    r"\bkraakt (het|de) (balkon|plafond|vloer|trap)\b|\b(hangt|staat) schever\b|"
    r"\b\w*goot\b[^.?!\n]{0,80}\b(half los|hangt los|zwaait)\b|\bopgebold\b",
    r"\b(stuk|stukken|brok\w*) (van|uit) (het|de) (\w*plafond|\w*muur|gevel|\w*balkon|dak|"
    r"schoorsteen)\b",
    rf"\b(tak|boom|klimrek|lantaarnpaal|paal|hek|steiger|bouwhek)\w*\b{_NEAR}\b(elk moment|"
    r"kan (elk moment )?vallen|dreigt|hangt (los|scheef)|afgebroken)",
    rf"\b(ceiling|balcony|facade|fa.ade|wall|roof|stairs?|staircase|steps?|chimney|roof tiles?|"
    rf"bricks?|"
    rf"gutter\w*|panels?|glass roof|canopy|chunks?|pieces?|concrete|debris|plaster|window|"
    rf"railing|floor|cladding)\b{_NEAR}"
    r"\b(fell|falling|fallen|came down|coming down|come down|crumbl\w*|collaps\w*|hanging loose|"
    r"came off|coming off|onto the (pavement|street|path)|about to fall|broke off|broken off|"
    r"gave way|giving way|bulg\w*|sagging|sinking|flapping|fall(s|ing)? (down|off|on|onto|in|into)|"
    r"hanging off|"
    r"swinging|keeps? falling|c[ao]me loose|coming loose|c[ao]me away|coming away|leaning|"
    r"cracked (right )?through|pull\w* away|is cracking|crack\w* (right )?across|tilting)\b",
    rf"\b(floor|ceiling|balcony)\b{_CLOSE}\b(is )?going down\b",
    r"\b(concrete|plaster|stone|brick) (bits|pieces|chunks|lumps)\b|"
    r"\b(pieces?|chunks?|bits?|lumps?) of (stone|concrete|plaster|brick)\w*\b[^.?!\n]{0,20}"
    r"\b(fall\w*|fell|drop\w*|coming down)\b",
    r"\bcrack\w*\b[^.?!\n]{0,40}\b(grow|grows|growing|gets bigger|getting bigger)\b",
    r"\b(komen|komt|vallen|valt|vielen)\b[^.?!\n]{0,40}\b(stukken|brokken|stenen|steen|beton|"
    r"pleister)\b[^.?!\n]{0,30}\bnaar beneden\b",
    r"\b(trap|trede)\b[^.?!\n]{0,30}\b(doorgezakt|door gezakt|is gebroken)\b|"
    r"\btree\b[^.?!\n]{0,10}\b(is )?door ?gezakt\b",
    r"\b(plaster|bits|chunks|pieces|bricks|stones|debris)\b[^.?!\n]{0,30}\bdropping\b",
    # Sets 14 and 15.
    r"\b(\w*balkon\w*|galerij\w*|\w*plaat|\w*platen|vloer|slab)\b[^.?!\n]{0,60}\b(weggezakt|ingezakt|"
    r"gezakt|schuin (hangen|hangt)|dipping|cracked (right )?across)\b|\b(separating|pulling away|"
    r"coming away) from the (wall|building|facade)\b|\b(lumps|chunks)\b[^.?!\n]{0,20}\bfell\b|"
    r"\b(schoorsteen|chimney)\b[^.?!\n]{0,40}\b(helt|hangt) (zichtbaar )?over\b|"
    r"\bbalk\w*\b[^.?!\n]{0,20}\b(is )?gebroken\b|\b\w*stenen\b[^.?!\n]{0,30}\bgevallen\b|"
    r"\bstukke?n? beton\b|\bafgeval+en?\b|\b(dropped|dropping)\b[^.?!\n]{0,30}\b(chunk|concrete|"
    r"bricks?|plaster)\b|\brebar\b",
)
_POWER_OUT = alternation(
    r"\b(geen|zonder) (stroom|elektriciteit|elektra|licht)\b",
    rf"\b(stroom|stroum|elektriciteit|elektra|elektriek)\b{_NEAR}\b(uitgevallen|uitviel|uitvalt|"
    r"viel uit|valt uit|weg|uit|af|eraf|eruit|ertuit|uitgezet|afgesloten)\b|\b(gein|geen) stroum\b|"
    r"\bno electric\b|\bstroom\b[^.?!\n]{0,10}\bterug\b",
    r"\bstroom\b[^.?!\n]{0,30}\bniet (meer )?teruggekomen\b",
    r"\bgroep\b[^.?!\n]{0,30}\b(valt|viel) (steeds )?uit\b",
    rf"\b(power|electricity|electric)\b{_CLOSE}\b(out|off|cut|down|gone)\b|\bpower (comes )?back\b",
    r"\blost (the )?(power|electricity)\b|\bstroompanne\b|\b(no|without) current\b",
    r"\b(elektriciteit|stroom)\w*\b[^.?!\n]{0,40}\b(onderbroken|afgesloten)\b",
    r"\bstroomstoring\b|\bstroomuitval\b|\bkortsluiting\b",
    r"\b(het hele|heel het|hele) (blok|gebouw|flat|huis|straat) (is )?donker\b|"
    r"\balles (is )?(hier )?(uit|uitgevallen|donker)\b|\blicht\b[^.?!\n]{0,25}\buit\b",
    r"\b(no|without) (power|electricity)\b|\bpower (cut|outage|failure|is out|went out|is off)\b",
    r"\b(power|electricity) (has |just |suddenly )?(gone|went) (off|out)\b|\bblackout\b|\boutage\b",
    r"\bcut (off )?the (power|electricity)\b|\b(power|electricity) (was |has been )?disconnected\b",
    r"\bdisconnected (our|the|my|his|her) (power|electricity)\b",
    r"\b(power|electricity) (went|cut out|failed|died)\b",
    r"\b(zonder|geen) spanning\b|\b(everything|it all) (has )?gone dark\b|\balles is zwart\b|"
    r"\bgeen strom\b|\b(pikke?donker|stikdonker)\b|"
    r"\b(is|was) (het )?(pik|stik)?donker in (huis|de woning|het huis|de flat)\b|"
    r"\blights? (has |have |had )?(gone|went)( out| off)?\b|"
    r"\b(power|electricity)\b[^.?!\n]{0,20}\b(failed|went off|went out|cut out|died)\b",
)
# A power cut is an emergency when someone depends on power to be safe, or is trapped by it.
_AT_RISK = alternation(
    r"\b(zit|zitten|zat|staat|opgesloten|vast)\b[^.?!\n]{0,25}\b(lift|vast)\b",
    r"\b(vast in|in de) lift\b|\bliftopsluiting\b",
    r"\b(stuck|trapped|locked) in\b[^.?!\n]{0,15}\b(lift|elevator)\b",
    r"\b(lift|elevator)\b[^.?!\n]{0,30}\b(stuck|trapped|inside)\b",
    r"\b(adem\w*|longmachine|longapparaat|apparaat|\w*beademing\w*|zuurstof\w*|\w*matras|\w*decubitus\w*|hoog-?laagbed|\w*pomp|thuisdialyse|dialyse\w*|insuline\w*|\w*medicijn\w*|\w*medicatie|"
    r"couveuse|injectie\w*|hoog ?bejaard\w*|traplift\w*|hoog-?lift|monitor|apparatuur|rolstoel)\b",
    r"\b(ventilator|oxygen|dialysis|insulin|medication|medicine|medical (equipment|device)|"
    r"breathing (machine|equipment)|breath\w*|(profiling|hospital|electric) bed|pressure mattress|"
    r"air mattress|stair ?lift|wheelchair|life support|cpap|pump|"
    r"diabet\w*)\b",
    r"\b(diabe\w*|afhankelijk van|hartproblemen|hartpatient|koeling)\b",
    r"\b(\d{2}-year-old|elderly|stuck upstairs|can'?t walk|bedridden|bedbound)\b",
    r"\bvan [7-9]\d\b|\bkan de trap (niet|nie) (af|op)\b|"
    r"\b(lift|lif) (staat stil|zit vast|zit vas)\b",
    r"\b(suction|warmtematras|zuigapparaat|uitzuig\w*)\b",
)
_TRAPPED = alternation(
    r"\b(vast|opgesloten|gevangen) in de lift\b|\bin de lift (vast|opgesloten)\b",
    r"\bliftopsluiting\b",
    r"\blift\b[^.?!\n]{0,20}\b(zit|zitten|zat|zaten|staat) (iemand|mensen|mijn|een|er)\b"
    r"[^.?!\n]{0,20}\b(in|vast)\b",
    r"\b(stuck|trapped|locked) in\b[^.?!\n]{0,15}\b(lift|elevator)\b",
    r"\b(lift|elevator)\b[^.?!\n]{0,30}\b(stuck|trapped)\b",
    r"\b(lift|elevator)\b[^\n]{0,100}\b(stuck|trapped) in (it|there)\b",
    r"\b(zit|zitten|zat|zaten|sta|staan) (nu |al )?(vast )?in de lift\b",
    r"\blift\b[^\n]{0,80}\ber (zit|zitten|zat|zaten) (nog )?[^.?!\n]{0,30}\bin\b",
    r"\blift\b[^.?!\n]{0,30}\b(blijven steken|blijven hangen|vast|stil)\b[^.?!\n]{0,60}\berin\b",
    r"\blift\b[^.?!\n]{0,40}\btussen (de )?\d|"
    r"\b(lift|elevator)\b[^.?!\n]{0,20}\bstopped\b[^.?!\n]{0,40}\binside\b",
    r"\b(lift|elevator)\b[^.?!\n]{0,30}\b(stopped|stuck|stopt|stil) between floors\b",
    r"\bkloppen in de (lift)?schacht\b|\b(knocking|banging) (in|from) the (lift|elevator) ?shaft\b",
    r"\bin de lift\b[^.?!\n]{0,40}\b(blijven hangen|blijft hangen|vast|tussen (de )?\d)",
)
# A lift out of order keeps someone who cannot take the stairs stuck upstairs, without what
# they need (medicine, food, oxygen): the same danger as being trapped by a power cut.
_LIFT_DOWN = alternation(
    rf"\b(lift|elevator)\b{_CLOSE}\b(kapot|stuk|defect|buiten gebruik|doet het niet|werkt niet|"
    r"out|broken|out of order|not working|down)\b",
    r"\b(kapotte|defecte) lift\b|\bbroken (lift|elevator)\b",
)
_CANNOT_TAKE_STAIRS = alternation(
    r"\b(rolstoel\w*|rollator|wheelchair|walking frame|slecht ter been|bedlegerig|bedridden|"
    r"bedbound)\b",
    r"\bkan (de trap|trappen|traplopen) niet\b|\bcan'?t (walk|use the stairs|manage the stairs)\b",
)
_STUCK_UPSTAIRS = alternation(
    r"\b(zit|zitten|zat|is|ben)\b[^.?!\n]{0,20}\b(vast|opgesloten)\b",
    r"\b(stuck|trapped)\b|\bcan'?t get (down|out)\b|\bkan (niet )?(naar beneden|naar buiten)\b",
    r"\bkan (het huis|de woning|de flat) niet (meer )?uit\b",
)
# No heating for someone frail in frost, also an emergency by the labelling rules.
_NO_HEAT = alternation(
    r"\bstoring\b|\b(ijskoud\w*|koud\w*) (huis|woning|flat)\b",
    r"\b(geen|zonder) (verwarming|warmte|chauffage)\b",
    r"\b(verwarming|cv|chauffage)\b[^.?!\n]{0,30}\b(uitgevallen|kapot|doet niets|stuk|"
    r"doet het niet|werkt niet|is uit)\b",
    r"\b(no|without) heat(ing)?\b|\bheating\b[^.?!\n]{0,20}\b(broken|failed|not working|off)\b",
)
_FRAIL_COLD = alternation(
    r"\b(vriest|vorst|min (\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien)|ijskoud\w*)\b|🥶|"
    r"\b(binnen|inside|in huis)\b[^.?!\n]{0,15}\b\d{1,2} (graden|degrees)\b",
    r"(?<![\w-])-\d{1,2}\b(?![-\d])|\b\d graden buiten\b",
    r"\b(freezing|frost|below zero|minus|snow\w*|sneeuw\w*|cold|koud\w*|kou)\b",
)
_FRAIL = alternation(
    r"\b(baby|pasgeboren|zuigeling|bejaard\w*|hoogbejaard\w*|\d{2} jaar|ziek\w*|ouderen|"
    r"bedlegerig|slecht ter been|longontsteking|hartproblemen)\b|\([6-9]\d\)",
    r"\b(is|ben|wordt|werd) [7-9]\d\b",
    r"\b(chemo\w*|zwanger\w*)\b",
    r"\boud(e)? (moeder|vader|man|vrouw|dame|heer|mevrouw|meneer)\b|\boudere (man|vrouw|dame|heer|"
    r"mensen)\b|\b(koorts|fever)\b",
    r"\b(old|older) (lady|man|woman|gentleman|neighbou?r|people|couple)\b",
    r"\b(oma|opa|bomma|bompa|grootmoeder|grootvader|grandma|grandmother|grandpa|grandfather|"
    r"granny)\b",
    r"\bvan [7-9]\d\b|\b[7-9]\d ?(y/?o|yo|jarige)\b",
    r"\b(newborn|infant|elderly|frail|\d{2} years? old|sick|ill|pregnant|chemo\w*|bedbound|"
    r"bedridden)\b",
    r"\b\d+[- ](month|week)s?[- ]old\b|\b\d+ (maanden|weken) oud\b",
    r"\b(i am|i'm|she is|he is|she's|he's) [7-9]\d\b",
)
_GENERAL = alternation(
    r"\blevensgevaar\w*|\bgevaarlijk\w* situatie\b|\bacuut gevaar\b",
    r"\b(danger to life|life[- ]threatening|immediate danger|in danger)\b(?! of)",
    r"\b112 (gebeld|bellen|called|calling)\b|\b(gebeld|bel|belde|called|call|calling) 112\b",
    r"\b(ontploffing|explosie|explosion)\b(?! (van|of) (de |the )?(kosten|prijzen|costs|prices))",
    rf"\b(ketel|boiler|geiser|geyser|gasfles|fles|meter|meterkast|accu|batterij|battery|cylinder|"
    rf"heater|kachel|oven|magnetron|microwave)\w*\b{_NEAR}\b(ontploft|ontplofte|exploded|explodes|"
    r"exploding)\b",
    rf"\b(ontploft|ontplofte|exploded)\b{_NEAR}\b(ketel|boiler|geiser|gasfles|meter|accu|battery)\w*",
)

_BY_KIND: tuple[tuple[EmergencyKind, re.Pattern[str]], ...] = (
    ("gas", _GAS),
    ("co", _CO),
    ("fire", _FIRE),
    ("electrical", _ELECTRICAL),
    ("structural", _STRUCTURAL),
    ("water", _WATER),
)
# The order in which one instruction outranks another where a message shows several dangers.
KIND_PRIORITY: tuple[EmergencyKind, ...] = (
    "gas",
    "co",
    "fire",
    "electrical",
    "structural",
    "water",
    "power",
)


def danger_kinds(folded: str) -> tuple[EmergencyKind, ...]:
    """Every kind of danger the folded text shows, most urgent instruction first."""
    found: set[EmergencyKind] = {kind for kind, pattern in _BY_KIND if pattern.search(folded)}
    if "electrical" not in found and _SMOULDER.search(folded):
        found.add("fire")
    if _power_risk(folded):
        found.add("power")
    return tuple(kind for kind in KIND_PRIORITY if kind in found)


def _power_risk(folded: str) -> bool:
    if _TRAPPED.search(folded):
        return True
    if (
        _LIFT_DOWN.search(folded)
        and _CANNOT_TAKE_STAIRS.search(folded)
        and _STUCK_UPSTAIRS.search(folded)
    ):
        return True
    if _POWER_OUT.search(folded) and _AT_RISK.search(folded):
        return True
    # No heating, or no power at all, for someone frail in frost.
    without_heat = _NO_HEAT.search(folded) or _POWER_OUT.search(folded)
    return bool(without_heat and _FRAIL_COLD.search(folded) and _FRAIL.search(folded))


def shows_danger(folded: str) -> bool:
    """Whether the safety net fires: a kind of danger, or danger named without its kind."""
    return bool(danger_kinds(folded)) or _GENERAL.search(folded) is not None
