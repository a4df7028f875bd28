"""The abbreviation list: exactly the used terms, sorted; used terms missing are findings."""

from __future__ import annotations

from budgetkit import ARTICLE, EXAMPLE, make_budget

from bbt.glossary import used_entries
from bbt.pipeline import check


def test_example_lists_used_terms_sorted():
    outline = check(EXAMPLE).outline
    terms = [e.term for e in used_entries(outline)]
    assert terms == sorted(terms, key=lambda t: t.strip("()").casefold())
    assert {"VAK", "VEK", "CMW", "LDE", "(D)WSE"} <= set(terms)
    assert terms.count("LO") == 2  # leningontvangsten and lonen
    assert not {"AHAD", "VAPA", "VCO"} & set(terms)  # in the published list, never used


def test_missing_abbreviation_is_a_warning_at_its_line(tmp_path):
    article = ARTICLE.replace(
        "toelichting: |\n", "toelichting: |\n  De XYZ-regeling en de QQ werden betaald.\n"
    )
    root = make_budget(
        tmp_path / "b",
        {
            "glossary.yaml": "- {term: VAK, meaning: Vastleggingskrediet}\n",
            "articles/JB0-1JEC2HA-WT.yaml": article,
        },
    )
    found = [f for f in check(root).findings if f.code == "BBT120"]
    assert [(f.message.split()[1], f.location.line) for f in found] == [("XYZ", 14), ("QQ", 14)]


def test_the_list_holds_what_the_document_prints_and_nothing_else(tmp_path):
    """Terms of the tables and headings count when printed (the programme code in the
    programme table's caption); terms nothing prints are left out, built-in or not."""
    glossary = (
        "- {term: JE, meaning: Programma Sociale economie}\n"
        "- {term: VAK, meaning: Vastleggingskrediet}\n"
        "- {term: MVG, meaning: Ministerie van de Vlaamse Gemeenschap}\n"
        "- {term: DAB, meaning: Dienst met Afzonderlijk Beheer}\n"
        "- {term: SD, meaning: Strategische doelstelling}\n"
    )
    root = make_budget(tmp_path / "b", {"glossary.yaml": glossary})
    terms = [e.term for e in used_entries(check(root).outline)]
    assert terms == ["JE", "VAK"]


def test_what_only_the_cover_prints_counts_too(tmp_path):
    from budgetkit import DOCUMENT

    document = DOCUMENT.replace(
        "minister: {name: Test Minister}",
        "minister: {name: Test Minister, title: Vlaams minister van WSE}",
    )
    glossary = (
        "- {term: WSE, meaning: Werk en Sociale Economie}\n"
        "- {term: VP, meaning: Vlaams Parlement}\n"
        "- {term: MVG, meaning: Ministerie van de Vlaamse Gemeenschap}\n"
    )
    parliament = "parliament: {stuk: 23 (2024-2025) – Nr. 1 VP, session: 2024-2025}\n"
    root = make_budget(
        tmp_path / "b", {"bbt.yaml": document + parliament, "glossary.yaml": glossary}
    )
    terms = [e.term for e in used_entries(check(root).outline)]
    assert {"WSE", "VP"} <= set(terms) and "MVG" not in terms
