"""Safety screening of learner questions: a small, readable rule set plus an optional moderation model.

Nothing here blocks a question. A match creates a ``SafetyFlag`` that the learner's teacher sees on
the "Flagged conversations" page, so a person decides what, if anything, to do. The rules therefore
aim at things a teacher should look at, and accept an occasional false alarm over a missed cry for
help. Flags store *which kind* of thing matched, never the matched text itself (a flag about a shared
phone number must not copy the number into one more table).

The rules (case-insensitive, on the question with whitespace collapsed):

* **self_harm** -- first-person phrases about ending one's life or hurting oneself: "kill myself",
  "end my life", "want to die", "suicide"/"suicidal", "hurt/cut/harm myself", "self-harm",
  "better off dead", "no reason to live", "take my own life", "overdose"; in Estonian "tahan surra",
  "tapan end", "enesetapp", "enesevigastus", "teen endale haiget", "ei taha enam elada", "üledoos";
  in Russian "хочу умереть", "убить себя", "покончить с собой", "суицид", "самоубийство",
  "порежу себя", "не хочу жить", "передоз".
* **violence** -- threats or plans against people: "kill/shoot/stab/hurt/beat up" followed by a
  person (him, her, them, you, everyone, my teacher...), "make a bomb", "school shooting", "murder",
  "bring a gun/knife to school"; Estonian "tapan/tulistan/pussitan/peksan" + a person, "teha pommi",
  "koolitulistamine", "mõrv", "toon noa kooli"; Russian "убью/зарежу/застрелю/изобью" + a person,
  "сделать бомбу", "стрельба в школе", "убийство", "принесу нож в школу".
* **harassment** -- insults aimed at a person: "you are stupid/an idiot/worthless...", "idiot",
  "moron", "loser", "retard", "shut up", "I hate you", "kill yourself"/"kys", "nobody likes you";
  Estonian "sa oled loll/idioot/kasutu…", "debiilik", "luuser", "jää vait", "vihkan sind", "tapa end
  ära"; Russian "ты тупой/дура/идиот/урод…", "дебил", "заткнись", "ненавижу тебя", "убей себя",
  "никто тебя не любит".
* **personal_data** -- details that identify someone: e-mail addresses; phone numbers (8-15 digits,
  optionally with +/00 and spaces, hyphens or brackets); national ID numbers (Estonian isikukood
  format, US SSN format); IBANs (two capital letters, two check digits, 11-30 more characters);
  payment card numbers (13-19 digits); home addresses ("my address is", "I live at <number>", a house
  number with a street word such as Street, Road, Avenue, tänav, maantee, mnt).

With ``TUTOR_MODERATION_MODEL`` set, the question is also sent to the endpoint's moderations API
(``client.moderations.create``); its self-harm, violence and harassment/hate categories map onto
ours. If that call fails, the failure is logged and the rules alone decide.
"""

import logging
import re
from dataclasses import dataclass

import openai
from django.conf import settings

from tutor.answering import llm
from tutor.models import SafetyFlag

logger = logging.getLogger(__name__)

Category = SafetyFlag.Category

_PERSON = (
    r"(?:him|her|them|you|u|everyone|everybody|somebody|someone|people"
    r"|my (?:teacher|classmates?|parents?|mum|mom|dad|boss|brother|sister))"
)


def _words(*phrases):
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    category: str
    detail: str
    pattern: re.Pattern


RULES = [
    Rule(
        Category.SELF_HARM,
        "words about self-harm or suicide",
        _words(
            r"kill(?:ing)? myself",
            r"end(?:ing)? my (?:own )?life",
            r"take my (?:own )?life",
            r"(?:want|wanna|going) to die",
            r"suicid(?:e|al)",
            r"(?:hurt|hurting|cut|cutting|harm|harming) myself",
            r"self[- ]?harm(?:ing)?",
            r"better off dead",
            r"no reason to (?:live|go on)",
            r"overdos(?:e|ing)",
            # Estonian
            r"(?:tahan|taha|tahaks) (?:ära )?surra",
            r"tapan (?:end|enda|ennast)(?: ära)?",
            r"enesetap\w*",
            r"enesevigastus\w*",
            r"(?:lõikan|lõikuma) (?:end|ennast)",
            r"teen (?:endale|enesele)(?: \w+){0,2} haiget",
            r"ei taha (?:enam )?elada",
            r"(?:võtan|võtta) endalt elu",
            r"üledoos\w*",
            # Russian
            r"хочу умереть",
            r"(?:убить|убью) себя",
            r"поконч\w* с собой",
            r"суицид\w*",
            r"самоубийств\w*",
            r"(?:режу|порежу|резать) себя",
            r"причин\w* себе (?:вред|боль)",
            r"не хочу (?:больше )?жить",
            r"незачем жить",
            r"передоз\w*",
        ),
    ),
    Rule(
        Category.VIOLENCE,
        "words about violence against people",
        _words(
            rf"(?:kill|shoot|stab|hurt|attack|beat up|punch) {_PERSON}",
            r"(?:make|build) (?:a|an) (?:bomb|explosive)",
            r"school shooting",
            r"murder(?:ing)?",
            r"bring (?:a|my) (?:gun|knife|weapon) to (?:school|work|class)",
            # Estonian
            r"(?:tapan|tulistan|pussitan|peksan) (?:ta|teda|nad|neid|sind|su|kõik|kõiki|õpetaja\w*|klassi\w*)",
            r"(?:teha|ehitada|valmistada|teen) pommi",
            r"pommi (?:teha|ehitada|valmistada)",
            r"kooli ?tulistami\w*",
            r"mõrva\w*",
            r"(?:toon|võtan) (?:noa|relva|püssi) kooli",
            # Russian
            r"(?:убью|убить|зарежу|застрелю|изобью|побью) (?:его|её|ее|их|тебя|всех|учител\w*|одноклассни\w*)",
            r"(?:сделать|собрать|сделаю|соберу) бомбу",
            r"стрельб\w* в школе",
            r"убийств\w*",
            r"(?:принесу|возьму) (?:нож|пистолет|оружие|ствол) в школу",
        ),
    ),
    Rule(
        Category.HARASSMENT,
        "insults or harassment",
        _words(
            r"(?:you(?:'re| are)|ur|u r) (?:so |such an? )?"
            r"(?:stupid|dumb|useless|worthless|pathetic|ugly|an idiot|a loser)",
            r"idiots?",
            r"morons?",
            r"losers?",
            r"retard(?:ed)?",
            r"shut up",
            r"i hate you",
            r"kill yourself",
            r"kys",
            r"nobody likes you",
            # Estonian
            r"(?:sa oled|oled sa|sa) (?:nii |täielik )?"
            r"(?:loll|lollakas|idioot|debiilik|kasutu|väärtusetu|inetu|luuser)",
            r"idioo\w*",
            r"debiilik\w*",
            r"luuser\w*",
            r"jää vait",
            r"(?:ma )?vihkan sind",
            r"tapa (?:end|ennast) ära",
            r"keegi ei (?:salli|taha) sind",
            # Russian
            r"ты (?:такой |такая |просто )?(?:тупой|тупая|дура\w*|идиот\w*|урод\w*|никчёмн\w*|никчемн\w*|ничтожество)",
            r"идиот\w*",
            r"дебил\w*",
            r"заткнись",
            r"(?:я )?ненавижу тебя",
            r"я тебя ненавижу",
            r"убей себя",
            r"никто тебя не (?:любит|терпит)",
        ),
    ),
    Rule(Category.PERSONAL_DATA, "an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)),
    Rule(
        Category.PERSONAL_DATA,
        "a national ID number",
        # Estonian isikukood (century/sex digit, YYMMDD, 4 more) and the US SSN layout.
        re.compile(r"(?<!\d)(?:[1-6]\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{4}|\d{3}-\d{2}-\d{4})(?!\d)"),
    ),
    Rule(Category.PERSONAL_DATA, "an IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")),
    Rule(Category.PERSONAL_DATA, "a card number", re.compile(r"(?<![\w.])\d(?:[ -]?\d){12,18}(?![\w.])")),
    Rule(
        Category.PERSONAL_DATA,
        "a phone number",
        re.compile(r"(?<![\w.])(?:\+|00)?\d(?:[ ()-]{0,2}\d){7,14}(?![\w.])"),
    ),
    Rule(
        Category.PERSONAL_DATA,
        "a home address",
        re.compile(
            # Street names must be capitalised, so "5 ways to drive" is not an address.
            r"(?i:\bmy (?:home )?address is\b|\bi live (?:at|on) \d)"
            r"|\b\d{1,5}[A-Za-z]? (?:[A-Z][\w-]+ ){1,3}"
            r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|close|crescent)\b"
            r"|\b[A-ZÄÖÜÕ][\w-]+ (?i:tänav|tn|maantee|mnt|puiestee|pst) \d{1,4}",
        ),
    ),
]

# Moderation API category names (as the endpoint returns them) -> ours.
MODERATION_CATEGORIES = {
    "self-harm": Category.SELF_HARM,
    "self-harm/intent": Category.SELF_HARM,
    "self-harm/instructions": Category.SELF_HARM,
    "violence": Category.VIOLENCE,
    "violence/graphic": Category.VIOLENCE,
    "harassment": Category.HARASSMENT,
    "harassment/threatening": Category.HARASSMENT,
    "hate": Category.HARASSMENT,
    "hate/threatening": Category.HARASSMENT,
}


@dataclass(frozen=True)
class Finding:
    category: str
    source: str
    detail: str


def rule_findings(text: str) -> list[Finding]:
    """One finding per category, naming every kind of match (e.g. "an e-mail address, a phone number")."""
    text = " ".join(text.split())
    details: dict[str, list[str]] = {}
    for rule in RULES:
        if rule.pattern.search(text):
            kinds = details.setdefault(rule.category, [])
            if rule.detail not in kinds:
                kinds.append(rule.detail)
    return [Finding(category, "rules", ", ".join(kinds)) for category, kinds in details.items()]


def moderation_findings(text: str) -> list[Finding]:
    """What the configured moderation model says; empty when none is configured or the call fails."""
    model = settings.TUTOR_MODERATION_MODEL
    if not model:
        return []
    try:
        # The tutor's sync SDK client (screening runs in a sync section): one try, so a slow endpoint delays little.
        response = llm.client().moderations.create(model=model, input=text)
        flagged = response.results[0].to_dict().get("categories", {})
    except (openai.OpenAIError, IndexError) as error:
        logger.warning("Moderation endpoint failed; screening with the rules only: %s", error)
        return []
    found: dict[str, list[str]] = {}
    for name, is_flagged in flagged.items():
        category = MODERATION_CATEGORIES.get(name)
        if is_flagged and category:
            found.setdefault(category, []).append(name)
    return [Finding(category, "moderation", f"moderation: {', '.join(names)}") for category, names in found.items()]


def screen_message(message) -> list[SafetyFlag]:
    """Flag a learner message that matches a rule or the moderation model. One INSERT at most.

    Call it outside a database transaction: it may make a network call to the moderation endpoint.
    """
    if message.role != message.Role.LEARNER or not message.text.strip():
        return []
    findings = rule_findings(message.text) + moderation_findings(message.text)
    flags = [
        SafetyFlag(message=message, category=finding.category, source=finding.source, detail=finding.detail[:255])
        for finding in findings
    ]
    return SafetyFlag.objects.bulk_create(flags) if flags else []
