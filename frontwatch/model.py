"""The contract's record types (shared/design/contract.md): reports, places, events, control.

Nothing here knows how records are filled or stored; every other room imports these.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["UA", "RU", "neutral"]
Stance = Literal["asserted", "claimed", "witnessed", "hedged", "denied"]
Extent = Literal["full", "partial", "entered"]
Controller = Literal["UA", "RU", "contested"]

# frontwatch's event kinds and their ACLED event_type / sub_event_type (contract §2).
KINDS: dict[str, tuple[str, str]] = {
    "territory_regained": ("Battles", "Government regains territory"),
    "territory_captured": ("Battles", "Non-state actor overtakes territory"),
    "entered": ("Battles", "Armed clash"),
    "armed_clash": ("Battles", "Armed clash"),
    "withdrawal": ("Strategic developments", "Non-violent transfer of territory"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "air_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "remote_explosive": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "chemical_weapon": ("Explosions/Remote violence", "Chemical weapon"),
    "suicide_bomb": ("Explosions/Remote violence", "Suicide bomb"),
    "grenade": ("Explosions/Remote violence", "Grenade"),
    "disrupted_weapons_use": ("Strategic developments", "Disrupted weapons use"),
    "attack_on_civilians": ("Violence against civilians", "Attack"),
    "abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "sexual_violence": ("Violence against civilians", "Sexual violence"),
    "looting_destruction": ("Strategic developments", "Looting/property destruction"),
    "base_established": ("Strategic developments", "Headquarters or base established"),
    "arrest": ("Strategic developments", "Arrests"),
    "agreement": ("Strategic developments", "Agreement"),
    "evacuation": ("Strategic developments", "Other"),
    "displacement": ("Strategic developments", "Other"),
    "humanitarian_aid": ("Strategic developments", "Other"),
    "other": ("Strategic developments", "Other"),
    "protest": ("Protests", "Peaceful protest"),
}

# Statements of state, not events: "the Russian-held town of X" says who holds X on the report's
# day (extract/states.py). The control timeline reads them; ACLED exports and scores skip them.
STATE_KINDS: dict[str, tuple[str, str]] = {
    "held": ("Statement of control", "Held"),
}

# ACLED disorder_type per event_type, for the ACLED CSV export.
DISORDER_TYPE: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Report(Record):
    """One dated piece of reporting, as read from any input format."""

    report_id: str
    date: dt.date
    text: str
    source: str | None = None
    url: str | None = None
    title: str | None = None
    content_hash: str = Field(description="hash of normalised text and date: finds duplicates whatever the id")
    origin: str | None = Field(default=None, description="where it was read from: file[:line]")


class Rejection(Record):
    """A report that could not be read, and why (one line)."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


class PlaceMention(Record):
    """A place named in a report (contract §2b); unresolved mentions have no id and no coordinates."""

    mention: str
    start: int
    end: int
    name: str | None = None
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    admin1: str | None = None
    feature_class: str | None = None
    feature_code: str | None = None
    geo_precision: int | None = Field(default=None, description="ACLED: 1 settlement, 2 near/part, 3 region")
    score: float | None = None
    candidates: int = 0
    metonymy: bool = False
    defer_to: int | None = Field(
        default=None, description="start of the mention that events use in this one's place: the settlement an "
        "admin qualifier qualifies (\"Izium, Kharkiv region\"), the place a district is coded to")
    reason: str | None = Field(default=None, description="why this candidate was chosen, or why none was")

    @property
    def resolved(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Location(Record):
    name: str | None = None
    mention: str | None = None
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    admin1: str | None = None
    feature_code: str | None = None
    geo_precision: int | None = None

    @classmethod
    def from_mention(cls, m: PlaceMention) -> Location:
        return cls(
            name=m.name or m.mention,
            mention=m.mention,
            geonames_id=m.geonames_id,
            latitude=m.latitude,
            longitude=m.longitude,
            country=m.country,
            admin1=m.admin1,
            feature_code=m.feature_code,
            geo_precision=m.geo_precision,
        )


class Claim(Record):
    claimant: str | None = None
    side: Side | None = None
    via: list[str] = Field(default_factory=list)
    stance: Stance = "asserted"
    quote: str | None = None


class Evidence(Record):
    report_id: str
    start: int
    end: int
    text: str


class ControlChange(Record):
    to: Literal["UA", "RU"] | None = None
    from_: Literal["UA", "RU"] | None = Field(default=None, alias="from")
    extent: Extent = "full"


class Event(Record):
    event_id: str
    report_id: str
    report_date: dt.date
    kind: str
    event_type: str
    sub_event_type: str
    event_date: dt.date | None = None
    date_earliest: dt.date | None = None
    date_latest: dt.date | None = None
    date_precision: int = 1
    historical: bool = False
    location: Location
    actor1: str | None = None
    actor1_side: Side | None = None
    actor2: str | None = None
    actor2_side: Side | None = None
    fatalities: int | None = None
    fatalities_text: str | None = None
    control: ControlChange | None = None
    claims: list[Claim] = Field(default_factory=list)
    evidence: list[Evidence] = Field(min_length=1)
    confidence: float = 0.5
    quantities: dict[str, float] = Field(default_factory=dict, description="counts of people, vehicles, km2")
    rule: str | None = Field(default=None, description="the trigger rule that produced this event")

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class ControlState(Record):
    """Who holds a settlement on a date, and on what evidence (contract §3)."""

    place: str
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    on: dt.date
    controller: Controller
    since: dt.date | None = None
    until: dt.date | None = None
    confidence: float
    evidence: list[str] = Field(default_factory=list)
    disputed_by: list[str] = Field(default_factory=list)
    reported: Controller | None = Field(
        default=None, description="a change to this state is reported but not yet confirmed: the map keeps "
        "`controller` until an admission, a witnessed report or independent sources confirm it")
    reported_evidence: list[str] = Field(default_factory=list, description="the events reporting that change")


class Extraction(Record):
    """Everything extraction found in one report."""

    report: Report
    places: list[PlaceMention] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)


def kind_to_acled(kind: str) -> tuple[str, str]:
    """ACLED (event_type, sub_event_type) for a frontwatch kind; unknown kinds map to Other; a
    statement of state has its own labels, which are no ACLED type."""
    return KINDS.get(kind) or STATE_KINDS.get(kind) or KINDS["other"]


def is_acled_kind(kind: str) -> bool:
    """Whether events of this kind are events ACLED codes (statements of state are not)."""
    return kind not in STATE_KINDS
