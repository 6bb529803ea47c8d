"""factory_boy factories for the organisation registry."""

from __future__ import annotations

import datetime as dt

import factory

from maturity.organisations.models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationFact,
    OrganisationKind,
    Relationship,
    Succession,
    SuccessionKind,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Test organisation {n}")
    kind = OrganisationKind.TRUST
    opened_on = dt.date(2000, 4, 1)
    closed_on = None
    source = "factory"


class NationFactory(OrganisationFactory):
    ods_code = "E92000001"
    name = "England"
    kind = OrganisationKind.NATION
    opened_on = None


class RegionFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"Y{70 + n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    kind = OrganisationKind.REGION
    opened_on = None


class IcbFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"Q{n:03d}")
    name = factory.Sequence(lambda n: f"NHS Test {n} Integrated Care Board")
    kind = OrganisationKind.ICB
    opened_on = dt.date(2022, 7, 1)


class SubIcbFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"{n:02d}X")
    kind = OrganisationKind.SUB_ICB
    opened_on = dt.date(2013, 4, 1)


class TrustFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"Test {n} NHS Foundation Trust")
    kind = OrganisationKind.TRUST


class PracticeFactory(OrganisationFactory):
    ods_code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Test {n} Surgery")
    kind = OrganisationKind.GP_PRACTICE


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    child = factory.SubFactory(TrustFactory)
    parent = factory.SubFactory(IcbFactory)
    valid_from = dt.date(2022, 7, 1)
    valid_to = None
    source = "factory"


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Succession

    predecessor = factory.SubFactory(IcbFactory, closed_on=dt.date(2026, 4, 1))
    successor = factory.SubFactory(IcbFactory, opened_on=dt.date(2026, 4, 1))
    effective_on = dt.date(2026, 4, 1)
    kind = SuccessionKind.MERGER
    source = "factory"


class FactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationFact

    organisation = factory.SubFactory(TrustFactory)
    key = "trust_type"
    value = "Acute"
    as_of = dt.date(2024, 10, 1)
    source = "factory"


class CareSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationCareSetting

    organisation = factory.SubFactory(TrustFactory)
    care_setting = "acute"
    source = "factory"
