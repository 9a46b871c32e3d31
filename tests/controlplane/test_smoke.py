from fastapi.testclient import TestClient

from tests.support.app import Account


def test_health_reports_database(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_me(client: TestClient, alice: Account) -> None:
    response = client.get("/api/auth/me", headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
