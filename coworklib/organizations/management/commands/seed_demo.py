"""The demo data of API.md. Idempotent: running it twice changes nothing."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.accounts.services import record_signup_acceptances
from coworklib.community.demo import seed_demo_community
from coworklib.organizations.models import EmailDomain, JoinRequest, Membership, Organization, Role
from coworklib.planning.demo import seed_demo_sessions
from coworklib.workspaces.demo import seed_demo_workspaces

DEMO_PASSWORD = "coworklib-demo"

FIRST_NAMES = [
    "Camille", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Nathan", "Inès", "Louis", "Jade",
    "Gabriel", "Emma", "Arthur", "Sarah", "Jules", "Zoé", "Adam", "Alice", "Raphaël", "Lina",
    "Paul", "Rose", "Théo", "Anna", "Noah", "Louise", "Tom", "Mila", "Sacha", "Julia",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
]  # fmt: skip
JOB_TITLES = [
    "Cheffe de projet", "Développeur", "Designer produit", "Responsable RH", "Comptable",
    "Commercial", "Data analyst", "Office manager", "Juriste", "Chargée de communication",
]  # fmt: skip

ORGANIZATIONS = [
    # slug, name, e-mail domain, number of members
    ("demo", "Coworklib Démo", "demo.coworklib.test", 30),
    ("other", "Autre Organisation", "other.coworklib.test", 5),
]
# The demo organization holds its domain (new demo.coworklib.test accounts join it on
# confirming their address) and has people waiting for an answer in its console.
DEMO_VERIFIED_DOMAIN = ("demo", "demo.coworklib.test")
DEMO_JOIN_REQUESTS = [
    # e-mail, first name, last name, job title, message
    (
        "chloe.fontaine@visiteurs.coworklib.test",
        "Chloé",
        "Fontaine",
        "Consultante",
        "Bonjour, je travaille avec l'équipe produit pendant trois mois. Pourrai-je réserver un poste à Lyon ?",
    ),
    ("karim.benali@visiteurs.coworklib.test", "Karim", "Benali", "Stagiaire", ""),
]


class Command(BaseCommand):
    help = "Creates the demo organizations and users (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Only seed a database that has no user yet.")

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("Database already has users: demo data not seeded.")
            return
        # One hash for every demo user: Argon2 is deliberately slow.
        password_hash = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            for slug, name, domain, member_count in ORGANIZATIONS:
                organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
                self._user(organization, f"admin@{domain}", Role.OWNER, 0, password_hash)
                for number in range(1, member_count + 1):
                    self._user(organization, f"member{number:02d}@{domain}", Role.MEMBER, number, password_hash)
            self._demo_domain_and_requests(password_hash)
            for slug, *_rest in ORGANIZATIONS:
                seed_demo_workspaces(Organization.objects.get(slug=slug))
                seed_demo_community(Organization.objects.get(slug=slug))
        # Outside the transaction above: each booking takes the planning lock in its own durable transaction.
        for slug, *_rest in ORGANIZATIONS:
            seed_demo_sessions(Organization.objects.get(slug=slug))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _demo_domain_and_requests(self, password_hash: str) -> None:
        slug, domain = DEMO_VERIFIED_DOMAIN
        organization = Organization.objects.get(slug=slug)
        owner = User.objects.get(email=f"admin@{domain}")
        # Verified from the start: demo.coworklib.test has no DNS to publish a record in.
        EmailDomain.objects.get_or_create(
            organization=organization, domain=domain, defaults={"added_by": owner, "verified_at": timezone.now()}
        )
        EmailDomain.objects.filter(organization=organization, domain=domain, verified_at__isnull=True).update(
            verified_at=timezone.now()
        )
        for email, first_name, last_name, job_title, message in DEMO_JOIN_REQUESTS:
            visitor, _created = User.objects.get_or_create(
                email=email,
                defaults={
                    "password": password_hash,
                    "first_name": first_name,
                    "last_name": last_name,
                    "job_title": job_title,
                },
            )
            EmailAddress.objects.get_or_create(user=visitor, email=email, defaults={"verified": True, "primary": True})
            record_signup_acceptances(user=visitor)
            if not JoinRequest.objects.filter(organization=organization, user=visitor).exists():
                JoinRequest.objects.create(organization=organization, user=visitor, message=message)

    def _user(self, organization: Organization, email: str, role: str, index: int, password_hash: str) -> User:
        offset = 0 if organization.slug == "demo" else 7
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={
                "password": password_hash,
                "first_name": FIRST_NAMES[(index + offset) % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[(index * 7 + offset) % len(LAST_NAMES)],
                "job_title": JOB_TITLES[index % len(JOB_TITLES)] if index else "Directrice des opérations",
                "last_organization": organization,
            },
        )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": role})
        # Demo people have accepted the current terms, so trying the demo does not start with that page.
        record_signup_acceptances(user=user)
        return user
