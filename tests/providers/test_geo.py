from providers import geo


def test_the_index_built_in_a_child_process_equals_the_direct_build():
    child = geo._load_index()
    assert child == geo._build_index()
    assert child.zips["78701"] == geo.Place(30.2713, -97.7426, "Austin", "TX")


def test_a_failing_child_falls_back_to_building_in_process(monkeypatch, caplog):
    monkeypatch.setattr(geo.sys, "executable", "/nonexistent/python")
    index = geo._load_index()
    assert index.zips["99501"].state == "AK"
    assert "building it here" in caplog.text
