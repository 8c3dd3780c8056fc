"""Whatever is typed, cleaning a count either gives numbers that keep every invariant or refuses with a
message per field: never another exception (which would be a 500)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupadmin.attendance import services

typed = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-10, max_value=6000).map(str),
    st.from_regex(r"\A[0-9]{1,7}([.,][0-9]{0,4})?\Z"),
    st.sampled_from(["", " ", "1,250", "1.250,75", "$45.50", "٣", "²", "-0", "0x10", "1e3", "∞", "NaN"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.fixed_dictionaries(
        {
            "total": typed,
            "newcomers": typed,
            "in_person": typed,
            "online": typed,
            "cash": typed,
            "digital": typed,
            "note": st.one_of(st.none(), st.text(max_size=250)),
            "not_counted": st.booleans(),
        }
    ),
    mode=st.sampled_from(["in_person", "online", "hybrid"]),
    currency=st.sampled_from(["USD", "EUR", "JPY", "BHD"]),
    locale=st.sampled_from(["en", "es"]),
)
def test_cleaning_never_fails_unexpectedly(app, raw, mode, currency, locale):
    try:
        values = services.clean_count(raw, mode=mode, currency=currency, locale=locale)
    except services.CountError as error:
        assert error.problems and all(str(m) for m in error.problems.values())
        return
    if values.total is None:
        assert values.newcomers is None and values.in_person is None and values.online is None
    else:
        assert 0 <= values.newcomers <= values.total <= services.MAX_PEOPLE
        assert values.in_person >= 0 and values.online >= 0
        assert values.in_person + values.online == values.total
        if mode == "online":
            assert values.in_person == 0
        if mode == "in_person":
            assert values.online == 0
    limit = services.MAX_AMOUNT_MAJOR * 10 ** services.precision(currency)
    for amount in (values.cash_minor, values.digital_minor):
        assert amount is None or 0 <= amount <= limit
    assert values.note is None or 0 < len(values.note) <= services.NOTE_MAX
