"""seed_demo: the demo data of API.md, idempotent."""

from django.core.management import call_command

from coworklib.accounts.models import User
from coworklib.organizations.models import EmailDomain, JoinRequest, Membership, Organization, Role


def _counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        EmailDomain.objects.count(),
        JoinRequest.objects.count(),
    )


def test_seed_demo_creates_the_demo_organizations_and_is_idempotent(db: object) -> None:
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)

    assert _counts() == first
    demo = Organization.objects.get(slug="demo")
    assert demo.name == "Coworklib Démo"
    assert Membership.objects.get(organization=demo, user__email="admin@demo.coworklib.test").role == Role.OWNER
    assert Membership.objects.filter(organization=demo, role=Role.MEMBER).count() == 30
    assert Membership.objects.filter(organization__slug="other").count() == 6
    demo_domain = EmailDomain.objects.get(domain="demo.coworklib.test")
    assert (demo_domain.organization, demo_domain.is_verified) == (demo, True)
    assert JoinRequest.objects.filter(organization=demo, status=JoinRequest.Status.PENDING).count() == 2


def test_seed_demo_does_not_reopen_a_request_that_was_answered(db: object) -> None:
    call_command("seed_demo", verbosity=0)
    JoinRequest.objects.update(status=JoinRequest.Status.REJECTED)

    call_command("seed_demo", verbosity=0)

    assert not JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).exists()
