"""Claims of an ID token become a Principal through the group map; what the map cannot grant is refused."""
import json

import pytest

from processes.access import EVERY_MUNICIPALITY
from processes.settings import STAFF_GROUPS_EXAMPLE
from processes.staff import GroupMap, GroupMapInvalid, NoAccess, directory_groups, group_map

EXAMPLE = group_map(STAFF_GROUPS_EXAMPLE)


def claims(*groups, **more):
    return {"sub": "4711", "name": "Sabine Berger", "groups": list(groups), **more}


def test_groups_of_one_municipality_are_united():
    principal = EXAMPLE.principal(claims("cn=standesamt,ou=plauen", "cn=stadtkasse,ou=plauen", "cn=unbekannt"))
    assert (principal.id, principal.name, principal.tenant) == ("4711", "Sabine Berger", "plauen")
    assert principal.roles == {"clerk", "cashier"}
    assert principal.groups == {"standesamt", "standesbeamte", "kasse"}


def test_operators_act_for_every_municipality():
    principal = EXAMPLE.principal(claims("cn=amtsweg-betrieb"))
    assert principal.tenant == EVERY_MUNICIPALITY and principal.roles == {"operator"} and not principal.groups


@pytest.mark.parametrize("groups, phrase", [
    ((), "nicht freigeschaltet"),
    (("cn=kantine,ou=plauen",), "nicht freigeschaltet"),
    (("cn=standesamt,ou=plauen", "cn=buergerbuero,ou=musterstadt"), "mehreren Kommunen"),
    (("cn=standesamt,ou=plauen", "cn=amtsweg-betrieb"), r"alle Kommunen \(Betrieb\)"),
])
def test_no_access_or_no_mixed_principal(groups, phrase):
    with pytest.raises(NoAccess, match=phrase):
        EXAMPLE.principal(claims(*groups))


def test_groups_claim_may_be_nested_or_a_single_string():
    token = {"sub": "1", "realm_access": {"roles": ["cn=gewerbe,ou=plauen", 7]}, "groups": "cn=amtsweg-betrieb"}
    assert directory_groups(token, "realm_access.roles") == ["cn=gewerbe,ou=plauen"]
    assert directory_groups(token, "groups") == ["cn=amtsweg-betrieb"]
    assert directory_groups(token, "missing.path") == []
    assert EXAMPLE.principal(token, "realm_access.roles").groups == {"gewerbe"}


@pytest.mark.parametrize("data, phrase", [
    ({"g": {"tenant": "atlantis", "roles": ["clerk"]}}, "unbekannte Kommune"),
    ({"g": {"tenant": "*", "roles": ["clerk"]}}, "nur die Rollen"),
    ({"g": {"tenant": "*", "groups": ["kasse"], "roles": ["operator"]}}, "keine Ämter"),
    ({"g": {"tenant": "plauen", "roles": ["citizen"]}}, "citizen"),
    ({"g": {"tenant": "plauen", "roles": []}}, "g/roles"),
    ({"g": {"tenant": "plauen", "roles": ["clerk"], "extra": 1}}, "extra"),
    ([], "not of type .object."),
])
def test_unusable_group_maps_are_refused_with_the_place(data, phrase):
    with pytest.raises(GroupMapInvalid, match=phrase):
        GroupMap.from_data(data)


def test_group_map_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "gruppen.json"
    path.write_text(json.dumps({"a": {"tenant": "plauen", "roles": ["clerk"]}}))
    assert set(group_map(path).grants) == {"a"}
    path.write_text(json.dumps({"b": {"tenant": "plauen", "roles": ["clerk"]}}))
    import os
    os.utime(path, (1, 1))
    assert set(group_map(path).grants) == {"b"}
    path.write_text("{kaputt")
    os.utime(path, (2, 2))
    with pytest.raises(GroupMapInvalid, match="kein gültiges JSON"):
        group_map(path)
    with pytest.raises(GroupMapInvalid, match="nicht lesbar"):
        group_map(tmp_path / "fehlt.json")
