"""Shared vocabulary: care settings and the seven WGLL pillars, with their stable ids."""

from __future__ import annotations

from enum import StrEnum


class CareSetting(StrEnum):
    ACUTE = "acute"
    MENTAL_HEALTH = "mental_health"
    COMMUNITY = "community"
    AMBULANCE = "ambulance"
    ICB = "icb"
    PRIMARY_CARE = "primary_care"
    ADULT_SOCIAL_CARE = "adult_social_care"

    @property
    def label(self) -> str:
        return CARE_SETTING_LABELS[self]


CARE_SETTING_LABELS = {
    CareSetting.ACUTE: "Acute",
    CareSetting.MENTAL_HEALTH: "Mental health",
    CareSetting.COMMUNITY: "Community",
    CareSetting.AMBULANCE: "Ambulance",
    CareSetting.ICB: "Integrated care board (system)",
    CareSetting.PRIMARY_CARE: "Primary care",
    CareSetting.ADULT_SOCIAL_CARE: "Adult social care",
}


class Pillar(StrEnum):
    WELL_LED = "well_led"
    SMART_FOUNDATIONS = "smart_foundations"
    SAFE_PRACTICE = "safe_practice"
    SUPPORT_PEOPLE = "support_people"
    EMPOWER_PEOPLE = "empower_people"
    IMPROVE_CARE = "improve_care"
    HEALTHY_POPULATIONS = "healthy_populations"

    @property
    def label(self) -> str:
        return PILLAR_LABELS[self]


PILLAR_LABELS = {
    Pillar.WELL_LED: "Well led",
    Pillar.SMART_FOUNDATIONS: "Ensure smart foundations",
    Pillar.SAFE_PRACTICE: "Safe practice",
    Pillar.SUPPORT_PEOPLE: "Support people (workforce)",
    Pillar.EMPOWER_PEOPLE: "Empower people (citizens)",
    Pillar.IMPROVE_CARE: "Improve care",
    Pillar.HEALTHY_POPULATIONS: "Healthy populations",
}

PILLAR_ORDER = list(Pillar)
