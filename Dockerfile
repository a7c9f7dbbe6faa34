# syntax=docker/dockerfile:1
# VendorWatch: one image for every process of the distributed mode (see docker-compose.yml).
# The entrypoint is the `vendorwatch` CLI; the command picks the process, e.g.
#   docker run vendorwatch api --kafka kafka:9092 --database-url postgresql://...
#   docker run vendorwatch worker ingest --kafka kafka:9092 --database-url postgresql://...

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/vendorwatch
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services/ services/
COPY deploy/ deploy/
RUN /opt/vendorwatch/bin/pip install .


FROM python:3.11-slim

ENV PATH="/opt/vendorwatch/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

COPY --from=build /opt/vendorwatch /opt/vendorwatch

# A non-root user with a writable home: faust keeps its per-worker data folder in the
# working directory, and `vendorwatch up` keeps its embedded PostgreSQL under the home.
RUN groupadd --system --gid 10001 vendorwatch \
    && useradd --system --uid 10001 --gid vendorwatch --create-home \
        --home-dir /home/vendorwatch --shell /usr/sbin/nologin vendorwatch
USER 10001:10001
WORKDIR /home/vendorwatch

EXPOSE 8000
ENTRYPOINT ["vendorwatch"]
CMD ["--help"]
