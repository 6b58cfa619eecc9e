-- One database per service: a service never reads another's read models.
CREATE DATABASE readiness OWNER rollout;
CREATE DATABASE waves OWNER rollout;
CREATE DATABASE training OWNER rollout;
CREATE DATABASE metrics OWNER rollout;
