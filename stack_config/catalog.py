"""Tables of what AWS offers, which the config model validates against."""

# Kubernetes versions EKS supports, from the EKS version lifecycle (endoflife.date
# table of Amazon EKS, read 2026-12-04): 1.31 left extended support on 2026-11-26,
# 1.32 and 1.33 are in extended support, 1.34 and 1.35 in standard support until
# 2026-12-02 and 2027-03-27.
# NOTE: 1.36 is left out because no stored source confirmed its EKS release date.
EKS_KUBERNETES_VERSIONS = ("1.32", "1.33", "1.34", "1.35")

# RDS MySQL parameter group families by engine major.minor version.
MYSQL_PARAMETER_FAMILIES = {"8.0": "mysql8.0", "8.4": "mysql8.4"}

# ElastiCache Redis OSS parameter group families by engine version.
REDIS_PARAMETER_FAMILIES = {"6.2": "redis6.x", "7.0": "redis7", "7.1": "redis7"}

# RDS instance classes the config accepts, with their memory in GiB (from the
# "DB instance classes" hardware table of the RDS User Guide). The memory gives the
# default max_connections of RDS MySQL: DBInstanceClassMemory / 12582880.
DB_INSTANCE_CLASSES = {
    "db.t4g.micro": 1,
    "db.t4g.small": 2,
    "db.t4g.medium": 4,
    "db.t4g.large": 8,
    "db.m7g.large": 8,
    "db.m7g.xlarge": 16,
    "db.m7g.2xlarge": 32,
    "db.r7g.large": 16,
    "db.r7g.xlarge": 32,
    "db.r7g.2xlarge": 64,
}

# The retentions CloudWatch Logs accepts for a log group, in days (the
# retentionInDays values of the PutRetentionPolicy API).
CLOUDWATCH_LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
