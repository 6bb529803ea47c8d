"""The expert panel's questions and anchor statements, shown beside each choice on the rating form.

Paraphrased from the panel's method (HC 663, 5 August 2020, Annex: draft anchor statements).
Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

ANCHOR_SOURCE = (
    "publications.parliament.uk/.../663/66303.htm (Annex: draft anchor statements); "
    'HFMA "MPs to assess government progress using CQC-style ratings"'
)

# Best first, as the panel's report lists them.
RATING_ORDER = ("outstanding", "good", "requires_improvement", "inadequate")
RATING_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    question: str
    anchors: dict[str, str]


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="met_or_on_track",
        label="Met or on track",
        question="Has the commitment been met, or is it on track to be met?",
        anchors={
            "outstanding": "Fully met, or high confidence that it will be met.",
            "good": "Met with minor gaps, or will be met soon after the deadline.",
            "requires_improvement": "Substantive extra steps are needed to meet it.",
            "inadequate": "Very significant steps are needed to meet it.",
        },
    ),
    Question(
        key="funded",
        label="Effectively funded",
        question="Has the commitment been effectively funded and resourced?",
        anchors={
            "outstanding": "Fully funded and resourced.",
            "good": "Funded and resourced, with minor shortfalls.",
            "requires_improvement": "Funding or resourcing has been ineffective.",
            "inadequate": "Significant shortfalls in funding or resources prevented delivery.",
        },
    ),
    Question(
        key="impact",
        label="Positive impact",
        question=(
            "Has the commitment had a positive impact for patients and people who draw on care?"
        ),
        anchors={
            "outstanding": "Stakeholders agree that it has had a positive impact.",
            "good": "A majority of stakeholders agree that it has had a positive impact.",
            "requires_improvement": "A minority of stakeholders agree that it has had a positive impact.",
            "inadequate": "Most stakeholders disagree that it has had a positive impact.",
        },
    ),
    Question(
        key="appropriate",
        label="Appropriate",
        question="Is the commitment appropriate?",
        anchors={
            "outstanding": "Confirmed as appropriate.",
            "good": "Appropriate, with caveats.",
            "requires_improvement": "Needs modifying to be appropriate.",
            "inadequate": "Not appropriate.",
        },
    ),
    Question(
        key="overall",
        label="Overall",
        question="Overall, how well has the government done on this commitment?",
        anchors={},
    ),
)

QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}

OVERALL_HINT = (
    "The anchor statements cover the four questions; the overall rating is the panel's "
    "judgement across them."
)
