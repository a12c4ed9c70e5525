# One image for the web app and the Celery worker.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libcairo2 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to load; the key here is thrown away with the build layer.
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input \
    && useradd --create-home app && mkdir -p /app/var/media /app/var/ranking-features && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && gunicorn reviewapp.wsgi --bind 0.0.0.0:8000 --workers ${WEB_WORKERS:-3} --access-logfile -"]
