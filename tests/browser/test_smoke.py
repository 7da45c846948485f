import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_home_login_logout_and_admin_login(page):
    get_user_model().objects.create_user("sam", "sam@example.com", "student-demo-2026", first_name="Sam")

    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Understand AI. Use it well."

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("student-demo-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    logout = page.get_by_role("button", name="Log out")
    assert logout.is_visible()

    logout.click()
    page.get_by_role("link", name="Log in").wait_for()
    assert page.get_by_role("button", name="Log out").count() == 0

    page.goto("/admin/login/")
    assert page.locator("input[name=username]").is_visible()


def test_home_page_fits_a_small_phone(phone, assert_fits_phone):
    phone.goto("/")
    assert_fits_phone(phone, "the home page")
