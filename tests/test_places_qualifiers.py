"""Place cases of the places helper for issue 11/12: admin qualifiers ("X, Region"), districts and
communities, directions, facilities named after a town, capitals standing for governments.
Short sentences written for these tests, with places and numbers of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from test_places_cases import one, places

from frontwatch.gazetteer import Gazetteer
from frontwatch.model import Event, Report
from frontwatch.nlp import get_nlp
from frontwatch.pipeline import extract_report


def events(text: str, gaz: Gazetteer) -> list[Event]:
    r = Report(report_id="t", date=dt.date(2022, 8, 9), text=text, content_hash="x")
    return extract_report(r, get_nlp(), gaz).events


# --------------------------------------------------------------------------- "X, Region"
@pytest.mark.parametrize(("text", "mention", "admin1"), [
    ("Russian forces shelled Zolotarivka, Luhansk region. No casualties.", "Zolotarivka", "Luhansk"),
    ("On 4 May, artillery hit Pivdenne, Donetsk, damaging a school.", "Pivdenne", "Donetsk"),
    ("Ukrainian forces recaptured Katerynivka, Mykolaiv, on Friday.", "Katerynivka", "Mykolaiv"),
    ("Mortar fire was reported near Zakharivka, Kirovohrad Oblast.", "Zakharivka", "Kirovohrad"),
    ("Drones hit Olenivka, Poltava region, and Stepove, Cherkasy region.", "Olenivka", "Poltava"),
    ("Drones hit Olenivka, Poltava region, and Stepove, Cherkasy region.", "Stepove", "Cherkasy"),
])
def test_qualifier_chooses_among_same_named_villages(text: str, mention: str, admin1: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    assert m.resolved and m.admin1 == admin1, m.reason
    assert m.feature_class == "P"


@pytest.mark.parametrize(("text", "village", "region"), [
    ("Russian forces shelled Zolotarivka, Luhansk region. No casualties.", "Zolotarivka", "Luhansk region"),
    ("On 4 May, Russian artillery shelled Pivdenne, Donetsk, damaging a school.", "Pivdenne", "Donetsk"),
    ("Ukrainian troops recaptured Katerynivka, Mykolaiv on Friday.", "Katerynivka", "Mykolaiv"),
])
def test_qualifier_is_never_the_events_place(text: str, village: str, region: str, gaz: Gazetteer) -> None:
    q = one(text, region, gaz)
    v = one(text, village, gaz)
    assert q.defer_to == v.start
    evs = events(text, gaz)
    assert evs and all(e.location.mention == village for e in evs), [(e.kind, e.location.mention) for e in evs]


@pytest.mark.parametrize("text", [
    "Russian troops shelled Zhuravske, Sumy region, wounding two men.",
    "On 2 June, Russian forces shelled Tykhe Pole, Kharkiv region. No casualties.",
    "Artillery struck Verkhnii Brid, Zaporizhzhia Oblast, overnight.",
])
def test_unknown_village_before_a_qualifier_keeps_its_name(text: str, gaz: Gazetteer) -> None:
    """A village the bundled gazetteer lacks: the event keeps the name, no coordinates, and never
    the region's point."""
    evs = events(text, gaz)
    assert evs
    for e in evs:
        assert e.location.latitude is None and e.location.mention and "region" not in e.location.mention \
            and "Oblast" not in e.location.mention, e.location


@pytest.mark.parametrize(("text", "mention", "code"), [
    ("Missiles hit Lviv, Kyiv and Dnipro on Monday.", "Kyiv", "PPLC"),
    ("Sirens sounded in Odesa, Mykolaiv and Kherson.", "Mykolaiv", "PPLA"),
    ("Trains left Poltava, Sumy, and Chernihiv before dawn.", "Sumy", "PPLA"),
])
def test_a_list_of_cities_is_not_a_qualifier(text: str, mention: str, code: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    assert m.feature_code == code and m.defer_to is None


# --------------------------------------------------------------------------- districts and communities
@pytest.mark.parametrize(("text", "mention", "seat", "code"), [
    ("Russian forces shelled the Okhtyrska hromada, Sumy region. No casualties.", "Okhtyrska", "Okhtyrka", "ADM3"),
    ("Artillery hit villages of the Konotopskyi district overnight.", "Konotopskyi", "Konotop", "ADM2"),
    ("Drones struck the Chuhuivskyi district of the Kharkiv region.", "Chuhuivskyi", "Chuhuiv", "ADM2"),
    ("Mortar fire hit the Lebedyn territorial community, Sumy region.", "Lebedyn", "Lebedyn", "ADM3"),
    ("Shelling was reported in the Pavlohrad district on Sunday.", "Pavlohrad", "Pavlohrad", "ADM2"),
])
def test_district_is_placed_at_its_seat_but_is_not_the_town(
        text: str, mention: str, seat: str, code: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    town = one(f"Residents of {seat} were evacuated.", seat, gaz)
    assert m.resolved and (m.latitude, m.longitude) == (town.latitude, town.longitude), m.reason
    assert m.feature_code == code and m.geonames_id is None and m.geo_precision == 2


def test_district_seat_names_follow_the_adjective() -> None:
    from frontwatch.extract.places import cues
    from frontwatch.gazetteer.names import district_seat_names

    adj = cues().district_adjectives

    def seats(w: str) -> list[str]:
        return district_seat_names(w, adj["endings"], adj["seat_endings"], adj["alternations"])

    assert "Konotop" in seats("Konotopskyi")
    assert "Okhtyrka" in seats("Okhtyrska")
    assert "Pavlohrad" in seats("Pavlohradskyi")
    assert "Polohy" in seats("Polohivskyi") and "Synelnykove" in seats("Synelnykivskyi")
    assert seats("Konotop") == [] and seats("Sky") == []


@pytest.mark.parametrize(("text", "place"), [
    ("Ukrainian air defence intercepted 3 drones over the Poltava region (coded to Poltava, Poltava).", "Poltava"),
    ("On 5 May, Russian forces shelled the Okhtyrska hromada (coded to Okhtyrka). No casualties.", "Okhtyrka"),
    ("Russian forces shelled the Chuhuivskyi district of the Kharkiv region (coded to Chuhuiv).", "Chuhuiv"),
])
def test_coded_to_gives_the_events_place(text: str, place: str, gaz: Gazetteer) -> None:
    evs = events(text, gaz)
    town = one(f"Residents of {place} were evacuated.", place, gaz)
    assert evs, "no event"
    for e in evs:
        assert (e.location.latitude, e.location.longitude) == (town.latitude, town.longitude), e.location


# --------------------------------------------------------------------------- facilities named after a town
@pytest.mark.parametrize(("text", "mention", "code"), [
    ("Drones flew over the Rivne nuclear power plant on Tuesday.", "Rivne", "PSN"),
    ("Russian forces seized Kherson airport after a short fight.", "Kherson", "AIRP"),
    ("Ukrainian troops retook the Kharkiv-Chuhuiv highway.", "Chuhuiv", "RD"),
    ("Missiles hit the Kremenchuk oil refinery overnight.", "Kremenchuk", "OILR"),
])
def test_facility_named_after_a_town_is_not_the_town(text: str, mention: str, code: str, gaz: Gazetteer) -> None:
    from frontwatch.fusion.timeline import settlement_precision

    m = one(text, mention, gaz)
    assert m.resolved and m.feature_code == code and m.geonames_id is None, m.reason
    for e in events(text, gaz):
        assert settlement_precision(e.location) is None, e.location  # moves no town's control


# --------------------------------------------------------------------------- capitals standing for governments
@pytest.mark.parametrize(("text", "mention"), [
    ("Moscow ruled out talks with Kiev before the winter.", "Kiev"),
    ("Ankara offered to host negotiations between Moscow and Kyiv.", "Kyiv"),
    ("Relations with Minsk worsened after the drills.", "Minsk"),
    ("The fighting for Kiev is a fight for all of Europe, the minister said.", "Kiev"),
    ("Poland accused Moscow of staging the blast.", "Moscow"),
    ("The summit urged Kyiv to open the ports.", "Kyiv"),
    ("Strikes on Kiev's military infrastructure continued, the ministry said.", "Kiev"),
    ("Washington and London condemned the strikes.", "London"),
    ("Washington sent 20 more rocket launchers to the front.", "Washington"),
    ("Moscow said its troops had left the island.", "Moscow"),
    ("The Kremlin denied the report.", "Kremlin"),
])
def test_capital_standing_for_its_government_is_metonymy(text: str, mention: str, gaz: Gazetteer) -> None:
    assert one(text, mention, gaz).metonymy


@pytest.mark.parametrize(("text", "mention"), [
    ("Kyiv's residents sheltered in the metro overnight.", "Kyiv"),
    ("Fighting in Kyiv's suburbs went on for a week.", "Kyiv"),
    ("Three missiles hit Kyiv on Monday.", "Kyiv"),
    ("Shelling continued in the LPR overnight.", "LPR"),
])
def test_a_capital_that_is_a_place_stays_a_place(text: str, mention: str, gaz: Gazetteer) -> None:
    assert not one(text, mention, gaz).metonymy


@pytest.mark.parametrize(("text", "village"), [
    ("Ukrainian forces shelled DPR positions near Zolotarivka, Luhansk region.", "Zolotarivka"),
    ("Ukrainian forces shelled LPR in Pivdenne, Donetsk region. One man was wounded.", "Pivdenne"),
    ("DPR forces shelled Katerynivka, Mykolaiv region, with mortars.", "Katerynivka"),
])
def test_republic_initials_are_actors_and_the_event_is_in_the_village(text: str, village: str, gaz: Gazetteer) -> None:
    evs = events(text, gaz)
    assert evs and all(e.location.mention == village for e in evs), [(e.kind, e.location.mention) for e in evs]


# --------------------------------------------------------------------------- attachment in one sentence
def _capture_places(text: str, gaz: Gazetteer) -> list[str | None]:
    return [e.location.mention for e in events(text, gaz) if e.kind in ("territory_captured", "territory_regained")]


@pytest.mark.parametrize(("text", "place"), [
    ("Moscow wants to hold Kreminna, a town Russian troops took last week.", "Kreminna"),
    ("Ukraine will defend Kupiansk, a city Ukrainian forces recaptured in September, and push towards Svatove.",
     "Kupiansk"),
    ("The general said Russian forces would keep Rubizhne, a town Russian troops captured on Monday.", "Rubizhne"),
])
def test_relative_clause_on_an_apposition_is_about_the_named_town(text: str, place: str, gaz: Gazetteer) -> None:
    assert place in _capture_places(text, gaz)


@pytest.mark.parametrize(("text", "mention", "admin1"), [
    # A weakly read name still lends its place to the names of its own sentence.
    ("Troops dug in around Kupjansk and the nearby town of Vovchansk.", "Vovchansk", "Kharkiv"),
    ("Officials in Mykolaiv reported a calm night. Troops held Kupiansk and the nearby village of Shevchenkove.",
     "Shevchenkove", "Kharkiv"),
    ("Columns moved from Kreminna toward the nearby town of Rubizhne.", "Rubizhne", "Luhansk"),
])
def test_names_of_one_sentence_read_each_other(text: str, mention: str, admin1: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    assert m.resolved and m.admin1 == admin1, m.reason


# --------------------------------------------------------------------------- Russian-style spellings
@pytest.mark.parametrize(("text", "mention", "name"), [
    ("Explosions were heard in Zhdanovka, Donetsk region, overnight.", "Zhdanovka", "Zhdanivka"),
    ("A drone fell near Vypasnoye, Odesa region, on Sunday.", "Vypasnoye", "Vypasne"),
    ("Fighting was reported near Dobropolye and Selidovo.", "Dobropolye", "Dobropillia"),
])
def test_russian_style_spelling_is_respelled(text: str, mention: str, name: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    assert m.name == name, m.reason


def test_respelling_rules() -> None:
    from frontwatch.gazetteer.index import _respell_rules
    from frontwatch.gazetteer.names import fold, respellings

    def keys(w: str) -> set[str]:
        return {fold(v) for v in respellings(w, _respell_rules())}

    assert fold("Krasnohorivka") in keys("Krasnogorovka")
    assert fold("Bohorodychne") in keys("Bogorodichnoye")
    assert fold("Popasna") in keys("Popasnaya")
    assert fold("Oleksandrivka") in keys("Aleksandrovka")
    assert respellings("Kyiv", _respell_rules()) == []


@pytest.mark.parametrize(("text", "mention", "not_id"), [
    # A city's rare other name does not outweigh the places that bear it as their own.
    ("Officials in Enerhodar reported a calm night. Troops advanced towards Slovyansk.", "Slovyansk", 700051),
    ("Russian forces shelled Aleksandrovka, Donetsk region.", "Aleksandrovka", 709717),
    ("Russian forces shelled Aleksandrovka, Kherson region.", "Aleksandrovka", 706448),
])
def test_another_name_of_a_city_is_not_the_city(text: str, mention: str, not_id: int, gaz: Gazetteer) -> None:
    assert one(text, mention, gaz).geonames_id != not_id


# --------------------------------------------------------------------------- ties abstain; context breaks them
@pytest.mark.parametrize(("text", "mention"), [
    # Two or more same-named villages in the named region, nothing else to go by: no guess.
    ("Russian forces shelled Uspenivka, Zaporizhzhia region. No casualties.", "Uspenivka"),
    ("Drones hit Vasylivka, Odesa region, overnight.", "Vasylivka"),
    ("Artillery hit Tarasivka, Poltava region.", "Tarasivka"),
])
def test_namesakes_in_the_named_region_abstain(text: str, mention: str, gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    assert not m.resolved, m.reason


@pytest.mark.parametrize(("text", "seat"), [
    ("Russian forces shelled Uspenivka, Polohivskyi district, Zaporizhzhia region.", "Polohy"),
    ("Russian forces shelled Uspenivka, Berdianskyi district, Zaporizhzhia region.", "Berdyansk"),
    ("Artillery hit Tarasivka, Pyriatynska hromada, Poltava region.", "Pyryatyn"),
])
def test_the_district_seat_breaks_a_tie(text: str, seat: str, gaz: Gazetteer) -> None:
    from frontwatch.gazetteer import haversine_km

    m = places(text, gaz)[0]
    town = one(f"Residents of {seat} were evacuated.", seat, gaz)
    assert m.resolved, m.reason
    assert haversine_km(m.latitude, m.longitude, town.latitude, town.longitude) < 40, m.reason


def test_and_before_a_verb_is_no_list(gaz: Gazetteer) -> None:
    m = one("Russian troops detained the head of Bilyi Kolodiaz village, Kharkiv and took him away.", "Kharkiv", gaz)
    assert m.defer_to is not None and m.feature_code == "ADM1"


@pytest.mark.parametrize(("text", "mention", "name"), [
    # The region rules out the places that bear the name as their own; the one there has it as another name.
    ("Russian forces shelled Zhdanivka, Vinnytsia region.", "Zhdanivka", "Viitivtsi"),
    ("Drones hit Vasylivka, Sumy region, overnight.", "Vasylivka", "Zarudne"),
    ("Russian forces shelled Zorya, Donetsk region.", "Zorya", "Afiny"),
])
def test_another_name_inside_the_named_region(text: str, mention: str, name: str, gaz: Gazetteer) -> None:
    assert one(text, mention, gaz).name == name


@pytest.mark.parametrize(("text", "name"), [
    ("Russian forces shelled near Tykhe Pole, Kharkiv region.", "Tykhe Pole"),
    ("Artillery hit Nove Zhyttia, Sumy region, overnight.", "Nove Zhyttia"),
    ("Mortars hit the outskirts of Stara Rudnia, Chernihiv region.", "Stara Rudnia"),
])
def test_a_village_name_of_two_words_before_a_qualifier_stays_whole(text: str, name: str, gaz: Gazetteer) -> None:
    evs = events(text, gaz)
    assert evs and all(e.location.mention == name and e.location.latitude is None for e in evs), \
        [(e.kind, e.location.mention) for e in evs]


@pytest.mark.parametrize(("text", "region", "place"), [
    ("Drones hit the Okhtyrska hromada (coded to Okhtyrka), Sumy region.", "Sumy region", "Okhtyrka"),
    ("Russian forces attacked in the direction of Lozove (coded to Balakliia), Kharkiv, but were repelled.",
     "Kharkiv", "Balakliia"),
    ("Mortars hit the Konotopska hromada (coded to Konotop), Sumy, at dawn.", "Sumy", "Konotop"),
])
def test_a_qualifier_after_the_coded_to_parenthesis(text: str, region: str, place: str, gaz: Gazetteer) -> None:
    q = one(text, region, gaz)
    p = one(text, place, gaz)
    assert q.feature_code == "ADM1" and q.defer_to == p.start
    assert all(e.location.mention == place for e in events(text, gaz))


@pytest.mark.parametrize(("text", "mention"), [
    ("Russian troops seized the shuttered Rivne nuclear facility on Monday.", "Rivne"),
    ("Russia has captured the Rivne and Khmelnytskyi nuclear power plants, officials said.", "Rivne"),
    ("The old power plant at Kurakhove was taken over by Russian forces on Monday.", "Kurakhove"),
    ("Russian forces seized the port of Berdiansk after a short fight.", "Berdiansk"),
])
def test_facility_phrases_around_the_name(text: str, mention: str, gaz: Gazetteer) -> None:
    from frontwatch.fusion.timeline import settlement_precision

    m = one(text, mention, gaz)
    assert m.resolved and not m.feature_code.startswith("PPL"), m.reason
    for e in events(text, gaz):
        assert settlement_precision(e.location) is None, e.location


def test_the_town_of_is_still_the_town(gaz: Gazetteer) -> None:
    assert one("Ukrainian troops held the town of Kurakhove.", "Kurakhove", gaz).feature_code == "PPL"


@pytest.mark.parametrize("text", [
    "Russian forces captured the Pidlisne airfield overnight.",
    "Russian troops seized the Hnylytsia power plant on Monday.",
    "Russian troops captured the Kamianske dam.",
])
def test_a_facility_named_after_an_unknown_village_moves_no_village(text: str, gaz: Gazetteer) -> None:
    from frontwatch.fusion.timeline import settlement_precision

    evs = events(text, gaz)
    assert evs
    for e in evs:
        assert settlement_precision(e.location) is None, e.location
