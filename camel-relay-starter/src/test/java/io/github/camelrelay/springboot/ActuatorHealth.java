package io.github.camelrelay.springboot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/** GET a health endpoint over HTTP, as a load balancer or Kubernetes probe would, and read the JSON it returns. */
record ActuatorHealth(int httpStatus, JsonObject body) {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static ActuatorHealth get(int port) {
        return get(port, "/actuator/health");
    }

    static ActuatorHealth get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Accept", "application/json").build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new ActuatorHealth(response.statusCode(), (JsonObject) Jsoner.deserialize(response.body()));
        } catch (IOException | DeserializationException e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String status() {
        return body.getString("status");
    }

    /** The details of camel-spring-boot's health indicator: one entry per Camel health check, and their data. */
    Map<String, Object> camelDetails() {
        JsonObject components = (JsonObject) body.get("components");
        if (components == null) {
            return Map.of();
        }
        if (components.get("camelHealth") instanceof JsonObject camel && camel.get("details") instanceof JsonObject details) {
            return details;
        }
        return Map.of();
    }

    @Override
    public String toString() {
        return httpStatus + " " + Jsoner.serialize(body);
    }
}
