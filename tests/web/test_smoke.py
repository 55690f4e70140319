from tests.conftest import heading, sign_in, url


def test_admin_signs_in_and_lands_on_administration(client, make_user):
    admin = make_user("admin")
    response = sign_in(client, admin)
    assert response.headers["Location"] == url(client, "home.index")
    response = client.get(url(client, "home.index"), follow_redirects=True)
    assert heading(response) == "Administration"
