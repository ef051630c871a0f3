from django.urls import path

from letters_app.views import staff, staff_letters

app_name = "staff"
urlpatterns = [
    path("letters/", staff_letters.letter_list, name="letter-list"),
    path("letters/<int:pk>/", staff.letter_export, name="letter-export"),
    path("letters/<int:pk>/download/", staff.letter_export_download, name="letter-export-download"),
    path("signatures/", staff.signatures_export, name="signatures-export"),
    path("letters/<int:pk>/background/", staff.export_job_new, name="letter-export-job-new"),
    path("signatures/background/", staff.export_job_new, name="signatures-export-job-new"),
    path("prepared/", staff.export_jobs, name="export-jobs"),
    path("prepared/<int:pk>/status/", staff.export_job_status, name="export-job-status"),
    path("prepared/<int:pk>/download/", staff.export_job_download, name="export-job-download"),
]
