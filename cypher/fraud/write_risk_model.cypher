// Detection write 6: the risk model that scored this run, kept by id with the data
// version it was fitted on (a refit on the same data gives the same id).
// Parameters: $model {model_id, fitted_on, labels, population, data_version, fitted_at
//             (epoch ms or null), weights (JSON text), metrics (JSON text)}, $used_at
//             (epoch ms)
MERGE (m:RiskModel {model_id: $model.model_id})
SET m.fitted_on = $model.fitted_on, m.labels = $model.labels,
    m.population = $model.population, m.data_version = $model.data_version,
    m.fitted_at = $model.fitted_at, m.weights = $model.weights, m.metrics = $model.metrics,
    m.used_at = $used_at
