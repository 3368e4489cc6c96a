from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@permission_required("dashboard.view_campaigns", raise_exception=True)
def campaign_list(request):
    return render(request, "campaigns/list.html")
