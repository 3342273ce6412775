# Tandem for docker-compose: one image for the web app, the worker and the migrate step.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm unzip \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && npm install --silent --no-audit --no-fund --prefix /app/.tools bun@1.4.5

ENV PATH=/app/.tools/node_modules/.bin:$PATH \
    REFLEX_BUN_PATH=/app/.tools/node_modules/.bin/bun \
    REFLEX_TELEMETRY_ENABLED=false \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    PYTHONUNBUFFERED=1 \
    TANDEM_ENV=production

COPY . .
EXPOSE 3000
CMD ["reflex", "run", "--env", "prod", "--single-port", "--backend-host", "0.0.0.0", "--backend-port", "3000"]
