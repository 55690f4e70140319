from tests.conftest import heading, sign_in


def test_admin_signs_in_and_lands_on_administration(client, make_user):
    admin = make_user("admin")
    response = sign_in(client, admin)
    assert response.headers["Location"] == "/"
    response = client.get("/", follow_redirects=True)
    assert heading(response) == "Administration"
