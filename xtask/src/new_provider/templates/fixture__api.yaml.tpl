# {title} API: the pay SDK's own machine-readable description (OpenAPI 3.1). Stub written by
# `cargo xtask new-provider {name}`: two example operations (create a payment, read it back)
# that the scaffold's client, fake and conformance test already use. Replace them with the
# documented operations. Conventions (every x- extension): docs/api-descriptions.md.
openapi: 3.1.0
info:
  title: {title} API (pay SDK description, stub)
  version: 0.0.0+pay.0
  summary: Stub description of the {title} API; nothing in it is documented yet.
  x-provider: {name}
servers:
- url: https://sandbox.{name}.invalid
  description: Placeholder sandbox server; replace it with the documented one.
  x-environment: sandbox
  x-inferred: scaffold placeholder, not a documented server
- url: https://api.{name}.invalid
  description: Placeholder production server; replace it with the documented one.
  x-environment: production
  x-inferred: scaffold placeholder, not a documented server
x-retry-policy:
  only-idempotent-operations: true
  x-inferred: scaffold placeholder; write the provider's documented retry rules
paths:
  /payments:
    post:
      operationId: payment_create
      summary: Create a payment (scaffold example)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/PaymentCreateRequest'
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Payment'
        default:
          description: Any other answer.
      security:
      - ApiKey: []
      x-rust-module: payments
      x-idempotent: false
      x-envelope: plain
      x-inferred: scaffold example, not a documented operation
  /payments/{id}:
    get:
      operationId: payment_get
      summary: Read a payment (scaffold example)
      parameters:
      - name: id
        in: path
        required: true
        description: Payment id.
        schema:
          type: string
          description: Payment id.
      responses:
        '200':
          description: Success.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Payment'
        default:
          description: Any other answer.
      security:
      - ApiKey: []
      x-rust-module: payments
      x-idempotent: true
      x-envelope: plain
      x-inferred: scaffold example, not a documented operation
components:
  securitySchemes:
    ApiKey:
      type: http
      scheme: bearer
      description: The account's secret API key as a bearer token (scaffold placeholder).
      x-sensitive: true
  schemas:
    PaymentCreateRequest:
      type: object
      description: A payment to create.
      required:
      - amount
      - currency
      - reference
      properties:
        amount:
          type: integer
          description: Amount in minor units.
          minimum: 1
          x-money:
            encoding: minor-int
            currency-field: currency
        currency:
          type: string
          description: ISO 4217 code.
          pattern: ^[A-Z]{3}$
        reference:
          type: string
          description: The merchant's reference.
          minLength: 1
          maxLength: 64
    Payment:
      type: object
      description: A payment.
      required:
      - id
      - amount
      - currency
      - reference
      - status
      properties:
        id:
          type: string
          description: Payment id.
        amount:
          type: integer
          description: Amount in minor units.
          x-money:
            encoding: minor-int
            currency-field: currency
        currency:
          type: string
          description: ISO 4217 code.
        reference:
          type: string
          description: The merchant's reference.
        status:
          $ref: '#/components/schemas/PaymentStatus'
    PaymentStatus:
      type: string
      description: Where a payment stands.
      enum:
      - pending
      - paid
      - failed
      x-open-enum: true
