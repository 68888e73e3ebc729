"""A payer file imports the same whatever its layout: the two big arrays in either order,
compact or indented, with or without values that nest keys named like those arrays.

Each pass parses only its own array where a byte search finds both (providers/payer_json.py);
these tests check the result against the same data in the plain layout, that the cut is
really taken, and that a file it cannot be taken for is read whole.
"""

import json
from decimal import Decimal

import pytest

from providers.payer_files import ListedNpis, ReadCounts, read_groups, read_header, read_rates
from providers.payer_json import ArrayLayout, PayerFileError
from providers.payer_rates import import_payer_files
from tests.providers.payer_files import code_item, group, in_network_file, price, rate, write
from tests.providers.test_payer_rates import TODAY, rates_of, two_x_file

pytestmark = pytest.mark.django_db

# A value nesting keys named like the big arrays, with a price that must never be imported.
DECOY = {
    "provider_references": [{"provider_group_id": 1, "provider_groups": [{"npi": [1]}]}],
    "in_network": [code_item("98940", [rate([1], [price(999)])])],
}


def laid_out(document: dict, *, references_first: bool, decoy_at: str | None) -> dict:
    """The document's keys reordered; `decoy_at` "start" or "between" places DECOY (as the
    value of a key of its own) before both arrays or between them."""
    head = {k: v for k, v in document.items() if k not in ("in_network", "provider_references")}
    arrays = ["provider_references", "in_network"]
    if not references_first:
        arrays.reverse()
    out = dict(head)
    if decoy_at == "start":
        out["extension"] = DECOY
    out[arrays[0]] = document[arrays[0]]
    if decoy_at == "between":
        out["extension"] = DECOY
    out[arrays[1]] = document[arrays[1]]
    return out


def imported(folder, document: dict, indent: int | None, alice, bob) -> list[tuple]:
    """The rates kept for both providers after importing `document` as plain.json."""
    folder.mkdir()
    path = folder / "plain.json"
    path.write_bytes(json.dumps(document, indent=indent).encode())
    import_payer_files([path], today=TODAY)
    return rates_of(alice) + rates_of(bob)


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("references_first", [False, True])
@pytest.mark.parametrize("decoy_at", [None, "start", "between"])
def test_every_layout_imports_the_same_rates(
    listed, tmp_path, indent, references_first, decoy_at
) -> None:
    alice, bob = listed
    document = two_x_file(alice, bob)
    expected = imported(tmp_path / "plain", document, None, alice, bob)
    assert len(expected) == 2

    other = laid_out(document, references_first=references_first, decoy_at=decoy_at)
    # The same file name (a re-import replaces its rates), so the stored source matches too.
    assert imported(tmp_path / "other", other, indent, alice, bob) == expected


def cut_taken(path, alice) -> tuple[bool, int]:
    """Whether pass one parsed its section alone, and how many rates pass two kept."""
    header = read_header(path)
    layout = ArrayLayout.of(path, search=not header.nests_array_keys)
    listed = ListedNpis([alice.npi])
    counts = ReadCounts()
    groups = read_groups(path, listed=listed, counts=counts, layout=layout)
    kept = read_rates(
        path,
        groups=groups,
        listed=listed,
        carried={"98940"},
        today=TODAY,
        counts=counts,
        layout=layout,
    )
    return layout.checked, len(list(kept))


@pytest.mark.parametrize("references_first", [False, True])
def test_each_pass_parses_only_its_own_array(listed, tmp_path, references_first) -> None:
    alice, bob = listed
    document = laid_out(two_x_file(alice, bob), references_first=references_first, decoy_at=None)
    path = write(tmp_path / "file.json.gz", document)

    assert cut_taken(path, alice) == (True, 2)  # 27.50 twice: the importer drops the duplicate


@pytest.mark.parametrize("decoy_at", ["start", "between"])
def test_a_file_with_nested_array_keys_is_read_whole(listed, tmp_path, decoy_at) -> None:
    alice, bob = listed
    document = laid_out(two_x_file(alice, bob), references_first=False, decoy_at=decoy_at)
    path = write(tmp_path / "file.json", document)

    assert cut_taken(path, alice) == (False, 2)


def test_an_error_in_the_references_names_its_position_in_the_whole_file(listed, tmp_path) -> None:
    alice, _bob = listed
    document = in_network_file(
        references=[group(1, [int(alice.npi)], ["Open Access"])],
        items=[code_item("98940", [rate([1], [price(40)])])],
    )
    text = json.dumps(document).replace('"provider_group_id": 1', '"provider_group_id": tru')
    path = tmp_path / "broken.json"
    path.write_text(text)

    def error(layout: ArrayLayout | None) -> str:
        with pytest.raises(PayerFileError) as raised:
            read_groups(path, listed=ListedNpis([alice.npi]), counts=ReadCounts(), layout=layout)
        return str(raised.value)

    whole = error(None)
    # yajl stops just past the bad token: byte 4 of "tru," (1-based), in the whole text.
    assert f"near byte {text.index('tru,') + 4:,}:" in whole
    assert error(ArrayLayout.of(path)) == whole


def test_rates_given_as_floats_keep_their_cents(listed, tmp_path) -> None:
    alice, _bob = listed
    document = in_network_file(
        references=[group(1, [int(alice.npi)], ["Open Access"])],
        items=[code_item("98940", [rate([1], [price(27.35), price(45.1, modifiers=("GP",))])])],
    )
    path = write(tmp_path / "cents.json", document)

    import_payer_files([path], today=TODAY)

    assert sorted(row[3] for row in rates_of(alice)) == [Decimal("27.35"), Decimal("45.10")]
