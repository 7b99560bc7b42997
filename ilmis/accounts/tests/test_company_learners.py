"""R3.3: a company manager creates its learners one by one or by CSV, and sees only its own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ilmis.accounts.models import LearnerImport, User
from ilmis.core.testing import ClientFactory, UserFactory, links_in

pytestmark = pytest.mark.django_db


def csv_file(text, name="salaries.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_manager_creates_a_learner_who_is_invited_to_set_a_password(client, manager, mailbox):
    client.force_login(manager)
    response = client.post(
        "/compte/apprenants/nouveau/",
        {
            "first_name": "Inès",
            "last_name": "Petit",
            "email": "Ines.Petit@Example.test",
            "phone": "06 12 34 56 78",
        },
    )
    assert response.status_code == 302
    learner = User.objects.get(email="ines.petit@example.test")
    assert learner.client == manager.client and learner.role == "learner"
    assert not learner.has_usable_password()
    invitation = next(m for m in mailbox() if learner.email in m.to)
    link = next(link for link in links_in(invitation) if "/password/reset/key/" in link)

    # The learner sets their own password through the link, which also verifies the email.
    from django.test import Client

    own = Client()
    form_url = own.get(link.replace("http://testserver", ""))["Location"]
    own.post(form_url, {"password1": "Soleil-Levant-2030!", "password2": "Soleil-Levant-2030!"})
    own.post("/accounts/login/", {"login": learner.email, "password": "Soleil-Levant-2030!"})
    assert own.session.get("_auth_user_id") == str(learner.pk)


def test_duplicate_email_is_refused_next_to_the_field(client, manager, learner):
    client.force_login(manager)
    response = client.post(
        "/compte/apprenants/nouveau/", {"first_name": "A", "last_name": "B", "email": learner.email}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_manager_cannot_see_or_edit_another_companys_learner(client, manager):
    other_company = ClientFactory()
    stranger = UserFactory(role="learner", client=other_company, first_name="Étranger")
    UserFactory(role="learner", client=manager.client, first_name="Collègue")
    client.force_login(manager)
    page = client.get("/compte/apprenants/").content.decode()
    assert "Collègue" in page and "Étranger" not in page
    assert client.get(f"/compte/apprenants/{stranger.pk}/").status_code == 404
    response = client.post(
        f"/compte/apprenants/{stranger.pk}/",
        {"first_name": "Pirate", "last_name": "X", "email": stranger.email},
    )
    assert response.status_code == 404
    assert client.post(f"/compte/apprenants/{stranger.pk}/invitation/").status_code == 404
    stranger.refresh_from_db()
    assert stranger.first_name == "Étranger"
    assert client.get("/compte/apprenants/abc/").status_code == 404


def test_learners_cannot_manage_accounts(client, learner):
    client.force_login(learner)
    assert client.get("/compte/apprenants/").status_code == 403
    assert (
        client.post("/compte/apprenants/nouveau/", {"email": "x@example.test"}).status_code == 403
    )


def test_learner_list_query_count_is_constant(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    UserFactory.create_batch(3, role="learner", client=manager.client)
    with django_assert_max_num_queries(20) as small:
        client.get("/compte/apprenants/")
    UserFactory.create_batch(30, role="learner", client=manager.client)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/compte/apprenants/")


class TestCsvImport:
    def post(self, client, text, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/compte/apprenants/import/", {"file": csv_file(text)})
        return response

    def test_valid_file_creates_every_learner_and_invites_them(
        self, client, manager, mailbox, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        text = (
            "prenom;nom;email;telephone\nJeanne;Durand;j.durand@example.test;06 12 34 56 78\n"
            "Ali;Ben;a.ben@example.test;\n"
        )
        response = self.post(client, text, django_capture_on_commit_callbacks)
        job = LearnerImport.objects.get()
        assert response["Location"] == f"/compte/apprenants/import/{job.pk}/"
        assert job.status == "done" and job.created_count == 2
        assert set(
            User.objects.filter(client=manager.client, role="learner").values_list(
                "email", flat=True
            )
        ) == {"j.durand@example.test", "a.ben@example.test"}
        invited = {address for m in mailbox() for address in m.to}
        assert {"j.durand@example.test", "a.ben@example.test"} <= invited
        status = client.get(
            job and f"/compte/apprenants/import/{job.pk}/", HTTP_ACCEPT="application/json"
        ).json()
        assert status == {"status": "done", "progress": 100, "created": 2, "errors": 0}

    def test_one_bad_row_imports_nothing_and_reports_each_row(
        self, client, manager, learner, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        text = (
            "prenom,nom,email\n"
            "Jeanne,Durand,j.durand@example.test\n"
            ",Sans-Prénom,sp@example.test\n"
            "Paul,Mauvais,pas-une-adresse\n"
            "Jeanne,Bis,j.durand@example.test\n"
            f"Déjà,Inscrit,{learner.email}\n"
        )
        self.post(client, text, django_capture_on_commit_callbacks)
        job = LearnerImport.objects.get()
        assert job.status == "invalid"
        assert [e["line"] for e in job.errors] == [3, 4, 5, 6]
        page = client.get(f"/compte/apprenants/import/{job.pk}/").content.decode()
        assert "Prénom manquant" in page and "pas-une-adresse" in page
        assert "en double" in page and "existe déjà" in page
        assert not User.objects.filter(client=manager.client, role="learner").exists()

    def test_missing_columns_are_reported(
        self, client, manager, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        self.post(client, "name,mail\nx,y\n", django_capture_on_commit_callbacks)
        job = LearnerImport.objects.get()
        assert job.status == "invalid" and "Colonnes manquantes" in job.errors[0]["messages"][0]

    @pytest.mark.parametrize("content", [b"\x00\x01binary", b"\xff\xfe\xfa", b""])
    def test_junk_files_are_refused_by_the_form(self, client, manager, content):
        client.force_login(manager)
        upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
        response = client.post("/compte/apprenants/import/", {"file": upload})
        assert response.status_code == 200 and "file" in response.context["form"].errors
        assert not LearnerImport.objects.exists()

    def test_another_managers_import_is_not_visible(
        self, client, manager, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        self.post(
            client, "prenom;nom;email\nA;B;ab@example.test\n", django_capture_on_commit_callbacks
        )
        job = LearnerImport.objects.get()
        other = UserFactory(role="manager", client=ClientFactory())
        from ilmis.core.testing import accept_current_terms

        accept_current_terms(other)
        client.force_login(other)
        assert client.get(f"/compte/apprenants/import/{job.pk}/").status_code == 404

    def test_ten_thousand_rows_import_whole(self, manager):
        """R3.3 at scale (the progress bar's case): every row validated, then all written."""
        from ilmis.accounts import services

        rows = "\n".join(f"P{n};N{n};p{n}@bulk.example.test" for n in range(10000))
        job = services.start_learner_import(
            manager, filename="big.csv", text="prenom;nom;email\n" + rows
        )
        services.run_learner_import(job.pk)
        job.refresh_from_db()
        assert job.status == "done" and job.created_count == 10000
        assert User.objects.filter(client=manager.client, role="learner").count() == 10000
