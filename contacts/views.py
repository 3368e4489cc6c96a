from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@permission_required("dashboard.view_contacts", raise_exception=True)
def contact_search(request):
    return render(request, "contacts/search.html")
