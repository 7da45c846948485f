app_name = "tutor"
urlpatterns = []
