from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector first: the tutor's chunk store needs the ``vector`` type."""

    initial = True
    dependencies = []
    operations = [VectorExtension()]
