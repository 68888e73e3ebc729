from providers.models import Profession
from providers.taxonomy import credential_words, specialty_codes, specialty_labels


def test_specialty_codes_keep_the_professions_subspecialties_once_in_order():
    codes = ["225100000X", "2251X0800X", "111NX0800X", "2251s0007x", "2251X0800X", ""]
    assert specialty_codes(codes, Profession.PHYSICAL_THERAPIST) == ["2251X0800X", "2251S0007X"]
    assert specialty_codes(codes, Profession.CHIROPRACTOR) == ["111NX0800X"]


def test_specialty_labels_name_known_codes_only():
    assert specialty_labels(["111NS0005X", "111NZ0000X"]) == ["Sports physician"]


def test_credential_words_spell_out_common_abbreviations():
    assert credential_words("PT, DPT, OCS, Phd") == [
        ("PT", "Physical therapist"),
        ("DPT", "Doctor of Physical Therapy"),
        ("OCS", "Orthopaedic Certified Specialist"),
        ("Phd", ""),
    ]
    assert credential_words("") == []
