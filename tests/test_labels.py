"""Label selectors select what a real cluster selects, and print and fail as upstream."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8skit.api.labels import (
    DOES_NOT_EXIST,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    Requirement,
    Selector,
    SelectorError,
    as_selector,
    format_label_selector,
    format_labels,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    parse,
)

WEB = {"app": "web", "tier": "frontend", "env": "prod"}
DB = {"app": "db", "tier": "backend", "env": "qa"}
CANARY = {"app": "web", "tier": "frontend", "env": "dev", "canary": "true"}
UNLABELLED: dict = {}
PODS = {"web": WEB, "db": DB, "canary": CANARY, "unlabelled": UNLABELLED}


def selected(selector) -> set[str]:
    return {name for name, labels in PODS.items() if as_selector(selector).matches(labels)}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("app=web", {"web", "canary"}),
        ("app==web", {"web", "canary"}),
        ("app!=web", {"db", "unlabelled"}),  # != also selects pods without the key
        ("app=web,tier!=db", {"web", "canary"}),
        ("env in (prod,qa)", {"web", "db"}),
        ("env notin (prod,qa)", {"canary", "unlabelled"}),  # notin: no key is a match
        ("canary", {"canary"}),
        ("!canary", {"web", "db", "unlabelled"}),
        ("app=web,!canary", {"web"}),
        ("app in (web), env notin (dev)", {"web"}),
        ("", {"web", "db", "canary", "unlabelled"}),
        ("app=nothing", set()),
    ],
)
def test_kubectl_selector_strings_select_like_a_cluster(text, names):
    assert selected(text) == names


def test_label_selector_objects_and_all_their_clauses():
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "tier", "operator": "Exists"},
        ],
    }
    assert selected(selector) == {"web"}
    not_in = {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}
    assert selected(not_in) == {"db", "canary", "unlabelled"}


def test_an_empty_label_selector_selects_everything_and_none_selects_nothing():
    assert selected({"matchLabels": {}}) == set(PODS)
    assert Selector.from_label_selector({}).matches(WEB)
    assert not Selector.from_label_selector(None).matches(WEB)
    assert not Selector.from_label_selector(None).matches({})
    assert Selector.from_label_selector({}).empty
    assert not Selector.from_label_selector(None).empty


def test_service_selectors_are_equality_maps():
    assert selected({"app": "web"}) == {"web", "canary"}
    assert selected({"app": "web", "env": "prod"}) == {"web"}
    # A label map whose key happens to look like a LabelSelector field is still a label map.
    assert as_selector({"matchLabels": "x"}).matches({"matchLabels": "x"})


def test_numeric_comparisons():
    assert parse("replicas>2").matches({"replicas": "3"})
    assert not parse("replicas>2").matches({"replicas": "2"})
    assert parse("replicas<2").matches({"replicas": "-1"})
    assert not parse("replicas<2").matches({"replicas": "one"})
    assert not parse("replicas<2").matches({})


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("tier!=db,app=web", "app=web,tier!=db"),  # sorted by key
        ("env in (qa,prod)", "env in (prod,qa)"),  # values sorted
        ("env notin ( qa , prod )", "env notin (prod,qa)"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("!canary", "!canary"),
        ("a==b", "a==b"),
        ("n>3", "n>3"),
        ("x in (in)", "x in (in)"),  # keywords are plain values inside parentheses
    ],
)
def test_selectors_print_like_upstream(text, printed):
    assert str(parse(text)) == printed


def test_selectors_with_the_same_requirements_are_equal():
    assert parse("tier!=db,app=web") == parse("app=web, tier!=db")
    assert len({parse("a=1,b=2"), parse("b=2,a=1")}) == 1
    assert parse("a=1") != parse("a=2")
    assert Selector.nothing() != Selector.everything()


def test_the_wide_selector_columns():
    deployment_selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}],
    }
    assert format_label_selector(deployment_selector) == "app=web,tier in (a,b)"
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchExpressions": [{"key": "a", "operator": "Is"}]}) == (
        "<error>"
    )
    assert format_labels({"tier": "db", "app": "web"}) == "app=web,tier=db"
    assert format_labels({}) == "<none>"
    assert format_labels(None) == "<none>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app in prod", "unable to parse requirement: found 'prod' expected: '('"),
        (
            "a b",
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
        ),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("=x", "found '=', expected: !, identifier, or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("n>x", "unable to parse requirement: values[0]: Invalid value: \"x\": "
                "for 'Gt', 'Lt' operators, the value must be an integer"),
    ],
)
def test_parse_errors_are_worded_as_upstream(text, message):
    with pytest.raises(SelectorError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_invalid_keys_and_values_are_refused_with_the_validation_text():
    with pytest.raises(SelectorError) as caught:
        parse("app=-bad")
    assert str(caught.value) == (
        'unable to parse requirement: values[0][app]: Invalid value: "-bad": a valid label must '
        "be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
        "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    )
    with pytest.raises(SelectorError, match=r'^unable to parse requirement: <nil>: Invalid value'):
        parse("bad_=x")
    with pytest.raises(SelectorError, match='"Is" is not a valid label selector operator'):
        Selector.from_label_selector({"matchExpressions": [{"key": "a", "operator": "Is"}]})
    with pytest.raises(SelectorError, match="values set can't be empty"):
        Selector.from_label_selector({"matchExpressions": [{"key": "a", "operator": "In"}]})
    with pytest.raises(SelectorError, match="values set must be empty for exists"):
        Selector.from_label_selector(
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}
        )


def test_qualified_names_as_label_keys():
    assert is_qualified_name("app") == []
    assert is_qualified_name("app.kubernetes.io/name") == []
    assert is_qualified_name("MyName") == []
    assert is_qualified_name("a" * 63) == []
    assert is_qualified_name("a" * 64) == ["name part must be no more than 63 characters"]
    assert is_qualified_name("/name") == ["prefix part must be non-empty"]
    assert is_qualified_name("example.com/") == ["name part must be non-empty"] + [
        is_qualified_name("-")[0]
    ]
    assert is_qualified_name("Example.com/x")[0].startswith(
        "prefix part a lowercase RFC 1123 subdomain must consist of"
    )
    assert is_qualified_name("-app") == [
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    ]
    assert is_qualified_name("app\n") != []


def test_label_values_and_dns_names():
    assert is_valid_label_value("") == []
    assert is_valid_label_value("v1.2_3-beta") == []
    assert is_valid_label_value("x" * 64)[0] == "must be no more than 63 characters"
    assert is_valid_label_value("has space") != []
    assert is_dns1123_label("web-1") == []
    assert is_dns1123_label("Web") == [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]
    assert is_dns1123_label("a.b") != []
    assert is_dns1123_subdomain("a.b") == []
    assert is_dns1123_subdomain("web_1") == [
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ]
    assert is_dns1123_subdomain("a" * 254)[0] == "must be no more than 253 characters"


# -- properties ------------------------------------------------------------------------------------
_KEYS = st.sampled_from(["app", "tier", "env", "example.com/team"])
_VALUES = st.sampled_from(["", "web", "db", "a.b", "in", "notin", "x_1", "1", "22"])


@st.composite
def requirements(draw):
    operator = draw(
        st.sampled_from(
            [EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN]
        )
    )
    key = draw(_KEYS)
    if operator in (EXISTS, DOES_NOT_EXIST):
        values = []
    elif operator in (IN, NOT_IN):
        values = draw(st.lists(_VALUES, min_size=1, max_size=3, unique=True))
    elif operator in (GREATER_THAN, LESS_THAN):
        values = [str(draw(st.integers(0, 30)))]  # "-1" is no label value
    else:
        values = [draw(_VALUES)]
    return Requirement.new(key, operator, values)


label_sets = st.dictionaries(_KEYS, _VALUES, max_size=4)


@given(st.lists(requirements(), max_size=4), st.lists(label_sets, min_size=1, max_size=8))
def test_printed_selectors_parse_back_to_the_same_selection(reqs, candidates):
    selector = Selector(reqs)
    reparsed = parse(str(selector))
    assert str(reparsed) == str(selector)
    for labels in candidates:
        assert reparsed.matches(labels) == selector.matches(labels)


@given(st.lists(requirements(), max_size=4), label_sets)
def test_a_selector_is_the_and_of_its_requirements(reqs, labels):
    assert Selector(reqs).matches(labels) == all(r.matches(labels) for r in reqs)


@given(st.dictionaries(_KEYS, _VALUES, max_size=4), label_sets)
def test_an_equality_map_matches_exactly_the_superset_label_sets(wanted, labels):
    expected = all(labels.get(key) == value for key, value in wanted.items())
    assert Selector.from_set(wanted).matches(labels) == expected
    assert parse(str(Selector.from_set(wanted))).matches(labels) == expected
