"""The dialer's contact mirror in Django's admin, read-only: operators look a contact up by
name, phone, external id or e-mail across campaigns. (CCAI Platform holds the contacts; every
change goes through the board, which calls it.) `make bench` times this changelist beside
the board on the same contacts, as the anchor the board is compared with."""

from django.contrib import admin

from dialer.models import DialerContact


@admin.register(DialerContact)
class DialerContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone_number", "email", "external_unique_id", "status", "campaign"]
    list_filter = ["status", "campaign"]
    search_fields = ["name", "phone_number", "external_unique_id", "email"]
    list_select_related = ["campaign"]
    list_per_page = 50  # as many rows as a board page
    # A filtered list counts its matches once; the table's full count is not worth a second scan.
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
