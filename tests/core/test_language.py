def test_ui_defaults_to_chinese_whatever_the_browser_says(client_for):
    r = client_for("donghu").get("/registry/enterprise/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "企业" in r.content.decode() and r["Content-Language"] == "zh-hans"


def test_english_is_one_choice_away(client_for):
    client = client_for("donghu")
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/registry/enterprise/"})
    assert r.status_code == 302
    r = client.get("/registry/enterprise/")
    assert "Enterprises" in r.content.decode() and r["Content-Language"] == "en"
