"""Model fields of our own."""

from django.db import models


class RegistryChoiceField(models.CharField):
    """A CharField whose choices come from a registry of kinds at run time (step kinds, indicator
    kinds). Migrations do not record the choices: they change no schema, and a new kind (one
    module and one registry entry) must not need a migration."""

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs
