"""Users and groups use Django's own admin, API tokens DRF's: nothing to add here.

Staff get their rights by joining the groups that ``oms.accounts.services.ensure_staff_groups`` creates,
so the group pages of the admin are where rights are handed out.
"""
