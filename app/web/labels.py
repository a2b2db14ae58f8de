"""Swedish names for the registry's vocabularies, fields and flags: the API speaks English, the pages Swedish."""

from app.core.enums import (
    ActorKind,
    AdoptionStatus,
    Category,
    ChangeAction,
    InitiativeStatus,
    OrganisationKind,
    ParticipantRole,
    ParticipationStatus,
)

STATUS_LABELS: dict[str, str] = {
    InitiativeStatus.idea: "idé",
    InitiativeStatus.planned: "planerad",
    InitiativeStatus.pilot: "pilot",
    InitiativeStatus.implementation: "genomförande",
    InitiativeStatus.in_operation: "i drift",
    InitiativeStatus.scaled: "skalad",
    InitiativeStatus.discontinued: "avslutad",
}

CATEGORY_LABELS: dict[str, str] = {
    Category.welfare_technology: "välfärdsteknik",
    Category.e_service: "e-tjänst",
    Category.automation: "automatisering",
    Category.data_and_ai: "data och AI",
    Category.infrastructure: "infrastruktur",
    Category.education: "utbildning",
    Category.health: "hälsa",
    Category.administration: "administration",
    Category.citizen_dialogue: "medborgardialog",
    Category.other: "övrigt",
}

ROLE_LABELS = {
    ParticipantRole.lead: "leder",
    ParticipantRole.partner: "partner",
    ParticipantRole.funder: "finansiär",
    ParticipantRole.observer: "observatör",
}

PARTICIPATION_LABELS = {
    ParticipationStatus.claimed: "anspråk, ej bekräftat",
    ParticipationStatus.confirmed: "bekräftat",
    ParticipationStatus.declined: "avböjt",
}

ADOPTION_LABELS = {
    AdoptionStatus.considering: "överväger",
    AdoptionStatus.piloting: "testar",
    AdoptionStatus.in_operation: "använder i drift",
    AdoptionStatus.abandoned: "har slutat",
}

KIND_LABELS = {
    OrganisationKind.municipality: "kommun",
    OrganisationKind.region: "region",
    OrganisationKind.municipal_federation: "kommunalförbund",
    OrganisationKind.company: "kommunalt bolag",
    OrganisationKind.agency: "myndighet",
    OrganisationKind.other: "annan organisation",
}

ACTION_LABELS = {
    ChangeAction.create: "registrerades",
    ChangeAction.update: "ändrades",
    ChangeAction.archive: "arkiverades",
    ChangeAction.delete: "togs bort",
}

# What a history entry is about, as the sentence "… registrerades" names it.
ENTITY_LABELS = {
    "initiative": "initiativet",
    "adoption": "en användning",
    "judgement": "en bedömning av överlapp",
    "participation": "ett deltagande",
}

ACTOR_LABELS = {
    ActorKind.admin: "registrets administratör",
    ActorKind.organisation: "organisationen",
    ActorKind.importer: "import från källa",
    ActorKind.system: "registret",
}

# SCB's county codes (länskoder); regions share them.
COUNTY_NAMES = {
    "01": "Stockholms län",
    "03": "Uppsala län",
    "04": "Södermanlands län",
    "05": "Östergötlands län",
    "06": "Jönköpings län",
    "07": "Kronobergs län",
    "08": "Kalmar län",
    "09": "Gotlands län",
    "10": "Blekinge län",
    "12": "Skåne län",
    "13": "Hallands län",
    "14": "Västra Götalands län",
    "17": "Värmlands län",
    "18": "Örebro län",
    "19": "Västmanlands län",
    "20": "Dalarnas län",
    "21": "Gävleborgs län",
    "22": "Västernorrlands län",
    "23": "Jämtlands län",
    "24": "Västerbottens län",
    "25": "Norrbottens län",
}

FIELD_LABELS = {
    "title": "Titel",
    "summary": "Sammanfattning",
    "description": "Beskrivning",
    "owner": "Ägare",
    "participants": "Deltagare",
    "status": "Status",
    "status_history": "Statushistorik",
    "status_date": "Datum för statusändringen",
    "category": "Kategori",
    "tags": "Nyckelord",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "budget_sek": "Budget",
    "digital_share": "Digital andel",
    "expected_benefit_sek_per_year": "Förväntad nytta per år",
    "realised_benefit_sek_per_year": "Realiserad nytta per år",
    "benefit_evidence": "Nyttomätningar",
    "has_benefit_realisation_plan": "Plan för nyttorealisering",
    "strategy_refs": "Strategier och styrdokument",
    "solution": "Lösning",
    "links": "Länkar",
    "contact": "Kontakt",
    "is_archived": "Arkiverad",
    "archived_reason": "Skäl till arkivering",
    "is_withdrawn_at_source": "Borttaget hos källan",
    "owner_name": "Ägarens namn",
    "county_code": "Län",
    "flags": "Flaggor",
    "since_date": "sedan",
    "note": "anteckning",
    "own_initiative_id": "eget initiativ",
    "organisation": "organisation",
}

# Flags (issue 3 §4) in plain Swedish: a short name, and what it means for the reader.
FLAG_LABELS = {
    "no_benefit_realisation": "Saknar nyttorealisering",
    "no_solution": "Saknar lösning",
    "decoupled_from_strategy": "Frikopplat från strategi",
    "pilot_of_proven": "Pilot av beprövad lösning",
    "duplicate_of_proven": "Bygger något som redan finns",
}

FLAG_EXPLANATIONS = {
    "no_benefit_realisation": (
        "Det finns varken en plan för nyttorealisering eller en förväntad nytta i kronor. "
        "Då går det inte att följa upp om satsningen lönar sig."
    ),
    "no_solution": (
        "Initiativet har lämnat idéstadiet, men ingen lösning (system, produkt eller leverantör) är angiven."
    ),
    "decoupled_from_strategy": (
        "Initiativet hänvisar inte till någon strategi eller något styrdokument, "
        "så det är oklart vilket mål det ska bidra till."
    ),
    "pilot_of_proven": (
        "Det här är en pilot, fast samma sak redan är i drift med redovisad nytta hos en annan organisation. "
        "Det är ofta billigare och snabbare att ta efter den lösningen än att pröva på nytt."
    ),
    "duplicate_of_proven": (
        "Initiativet planeras eller byggs, fast samma sak redan är i drift med redovisad nytta hos en annan "
        "organisation som varken används eller samarbetas kring här."
    ),
}

VERDICT_LABELS = {
    "same": "samma sak",
    "related": "närliggande, inte samma sak",
    "different": "inte samma sak",
}


def judgement_label(judgement, names: dict[str, str]) -> str:
    """A person's judgement of an overlap in a sentence: who, what, and their note."""
    judge = "Registrets administratör" if judgement.judge == "admin" else names.get(judgement.judge, judgement.judge)
    note = f": {judgement.note}" if judgement.note else ""
    return f"{judge} bedömer att det är {VERDICT_LABELS[judgement.verdict]}{note}."


# The seven transformation KPIs (nyckeltal för omställning), issue 3 §5.
KPI_LABELS = {
    "development_intensity": ("Utvecklingsintensitet", "Utvecklingsutgifter delat med total omsättning."),
    "development_effect": (
        "Utvecklingseffekt",
        "Andel av utvecklingsutgifterna som gått till initiativ i drift eller skalade, "
        "alltså sådant som ändrat hur eller vad som levereras.",
    ),
    "digitalisation": ("Digitaliseringsgrad", "Digital andel av utgifterna bakom utvecklingseffekten."),
    "productivity": ("Produktivitet", "Nya digitala tjänster som tagits i drift, per månad."),
    "data_utilisation": ("Datautnyttjande", "Använda datamängder delat med innehavda datamängder."),
    "kpi_turnover": ("Omsättning av nyckeltal", "Andel av nyckeltalen som lagts till eller tagits bort under året."),
    "opportunity_cost": (
        "Alternativkostnad",
        "Årlig nytta som uteblir för att beprövade lösningar från andra ännu inte har tagits i bruk.",
    ),
}

# Each KPI's section on the method page, /sa-raknar-vi#…
KPI_ANCHORS = {
    "development_intensity": "utvecklingsintensitet",
    "development_effect": "utvecklingseffekt",
    "digitalisation": "digitaliseringsgrad",
    "productivity": "produktivitet",
    "data_utilisation": "datautnyttjande",
    "kpi_turnover": "omsattning-av-nyckeltal",
    "opportunity_cost": "alternativkostnad",
}

# KPIs shown as shares (percent), as kronor, or as plain numbers.
PERCENT_KPIS = {"development_intensity", "development_effect", "digitalisation", "data_utilisation", "kpi_turnover"}
MONEY_KPIS = {"opportunity_cost"}

INPUT_LABELS = {
    "development_spend_sek": "utvecklingsutgifter",
    "total_turnover_sek": "total omsättning",
    "population": "folkmängd",
    "datasets_held": "innehavda datamängder",
    "datasets_used": "använda datamängder",
    "kpi_set_size": "antal nyckeltal",
    "kpis_added": "tillagda nyckeltal",
    "kpis_retired": "borttagna nyckeltal",
    "net_cost_sek": "nettokostnad",
    "digital_share": "digital andel av budgeten",
    "effect_spend_sek": "utgifter för initiativ i drift",
    "operation_start_date": "datum då tjänster togs i drift (källan anger det inte)",
    "owner_population": "folkmängd hos organisationen som äger initiativet",
    "digital_spend_sek": "digitala utgifter",
    "digital_services_put_into_operation": "digitala tjänster som tagits i drift",
    "services_without_digital_share": "tjänster i drift utan angiven digital andel",
    "months": "antal månader",
    "annual_benefit_of_candidates_sek": "årlig nytta av lösningar att ta efter",
}


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def category_label(value: str) -> str:
    return CATEGORY_LABELS.get(value, value)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def input_label(name: str) -> str:
    return INPUT_LABELS.get(name, name.replace("_", " "))


def genitive(name: str) -> str:
    """Swedish genitive: "Sundsvalls", "Region Stockholms", but "Göteborgsregionens kommunalförbund
    (GR):s" after a parenthesis or an abbreviation, and no extra s after s, x or z."""
    if name.endswith((")", "]")) or name[-1:].isupper() or name[-1:].isdigit():
        return f"{name}:s"
    return name if name.endswith(("s", "x", "z")) else f"{name}s"


def change_subject(change, names: dict) -> str:
    """What a history entry is about: "initiativet", or whose adoption ("Sundsvalls användning")."""
    organisation = change.snapshot.get("organisation") if change.entity == "adoption" else None
    if organisation:
        name = names[organisation].name if organisation in names else organisation
        return f"{genitive(name)} användning"
    return ENTITY_LABELS.get(change.entity, change.entity)


def count_noun(count: int, singular: str, plural: str) -> str:
    """ "1 eget initiativ", "3 egna initiativ"."""
    return f"{count} {singular if count == 1 else plural}"


def county_name(code: str | None) -> str:
    return COUNTY_NAMES.get(code or "", "okänt län")
