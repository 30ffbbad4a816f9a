# drlint-ignore DR201 reason="replica, promoted by runbook" until=2027-03-31
// drlint-ignore DR201, db-instance-multi-az: older form
/* drlint-ignore DR504 reason="x" until=bad owner=me */
