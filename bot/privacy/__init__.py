"""Privacy by law (AVG/GDPR): finding one person's data, exporting it, erasing it, and the
retention term after which a closed case keeps only what reports count."""
