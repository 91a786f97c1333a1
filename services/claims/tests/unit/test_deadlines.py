"""Filing deadlines as dated data: 60 days from the end of a continuous treatment for members,
90 days for facilities' direct billing, suspension windows not counted."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from amo_claims.domain import Reason
from amo_claims.domain.deadline import days_counted, treatment_ends


def test_acts_further_apart_than_the_gap_are_two_treatments(act, claim_of, judge):
    first = (act("CS", "2025-01-06", "150"), act("C", "2025-01-20", "80"))  # ends 20 January
    second = act("KINE", "2025-03-10", "50")  # 49 days later: a treatment of its own
    result = judge(claim_of(*first, second, filed_on="2025-03-22"))  # 61 days after 20 January
    assert [line.reason for line in result.lines] == [
        Reason.DEADLINE_PASSED,
        Reason.DEADLINE_PASSED,
        Reason.ACCEPTED,
    ]
    assert "2025-01-20" in result.lines[0].message


def test_a_facility_billing_directly_has_90_days(act, claim_of, judge):
    stay = act("CESAR", "2025-01-10", "8000")
    on_time = claim_of(stay, facility="public", filed_by="facility", filed_on="2025-04-10")
    late = claim_of(stay, facility="public", filed_by="facility", filed_on="2025-04-11")
    member_late = claim_of(stay, facility="public", filed_on="2025-03-12")  # 61 days
    assert judge(on_time).lines[0].reason is Reason.ACCEPTED
    assert judge(late).lines[0].reason is Reason.DEADLINE_PASSED
    assert "90 jours" in judge(late).lines[0].message
    assert judge(member_late).lines[0].reason is Reason.DEADLINE_PASSED


def test_days_inside_the_2020_suspension_do_not_count(act, claim_of, judge):
    # 1 March to 15 August 2020 is 167 days, 126 of them suspended (24 March - 27 July): 41.
    line = judge(claim_of(act("C", "2020-03-01", "80"), filed_on="2020-08-15")).lines[0]
    assert line.reason is Reason.ACCEPTED
    late = judge(claim_of(act("C", "2020-03-01", "80"), filed_on="2020-09-04")).lines[0]
    assert late.reason is Reason.DEADLINE_PASSED  # 61 days counted


def test_days_counted_without_a_window_are_calendar_days(reference):
    deadlines = reference.rules(dt.date(2025, 1, 1)).deadlines
    assert days_counted(dt.date(2025, 3, 4), dt.date(2025, 5, 3), deadlines) == 60


days = st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31))


@given(dates=st.lists(days, min_size=1, max_size=12), gap=st.integers(0, 60))
def test_every_act_belongs_to_one_treatment_ending_on_or_after_it(dates, gap):
    ends = treatment_ends(dates, gap)
    assert set(ends) == set(dates)
    for day, end in ends.items():
        assert end >= day and end in ends and ends[end] == end
        # no act of the claim falls within the gap after the treatment's end
        assert not any(0 < (other - end).days <= gap for other in dates)


@given(dates=st.lists(days, min_size=1, max_size=12), extra=days)
def test_a_later_act_never_moves_a_treatment_end_earlier(dates, extra):
    before = treatment_ends(dates, 30)
    after = treatment_ends([*dates, extra], 30)
    assert all(after[day] >= end for day, end in before.items())
