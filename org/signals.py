"""Signals org sends for apps above it (org imports no app: they listen instead).

`password_changed(sender=Person, person, old_password, new_password, by_admin, meta)`: sent inside the
transaction of org.services.person_password_change, after the new password is saved, so a receiver's writes
commit or roll back with it. `old_password` is the one the person typed to change it (None for an
administrator's reset); `new_password` None means the account has no usable password any more. The signing
keys (signatures.receivers) are re-wrapped, or re-issued after a reset, from here.
"""

from django.dispatch import Signal

password_changed = Signal()
