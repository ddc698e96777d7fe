from django.test import Client


def test_healthz_answers_ok_when_the_database_answers(db: object, client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_page_is_french_by_default(db: object, client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
